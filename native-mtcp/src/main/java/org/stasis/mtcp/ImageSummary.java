package org.stasis.mtcp;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link ImageValidator} learned about a valid image.
 *
 * @param file the image
 * @param header its header
 * @param fileSize size of the file in bytes
 * @param sectionCounts number of sections of each type, trailer excluded
 * @param sections total number of sections before the trailer
 * @param memoryBytes total raw (uncompressed) bytes of all MEMORY sections
 * @param storedMemoryBytes bytes the MEMORY payloads take on disk
 * @param threads thread count from the THREADS section, -1 if there is none
 * @param regions region count from the REGIONS section, -1 if there is none
 * @param pluginSections names of the plugins that stored a PLUGIN section, in file order
 * @param payloadsVerified whether every payload checksum was checked as well
 */
public record ImageSummary(
        Path file,
        ImageHeader header,
        long fileSize,
        Map<SectionType, Integer> sectionCounts,
        long sections,
        long memoryBytes,
        long storedMemoryBytes,
        int threads,
        int regions,
        List<String> pluginSections,
        boolean payloadsVerified) {

    public ImageSummary {
        sectionCounts = Map.copyOf(sectionCounts);
        pluginSections = List.copyOf(pluginSections);
    }

    public int count(SectionType type) {
        return sectionCounts.getOrDefault(type, 0);
    }
}
