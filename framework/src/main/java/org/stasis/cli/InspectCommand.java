package org.stasis.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.stasis.mtcp.ImageException;
import org.stasis.mtcp.ImageHeader;
import org.stasis.mtcp.ImageSummary;
import org.stasis.mtcp.ImageValidator;
import org.stasis.mtcp.SectionType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stasis inspect IMAGE}: check an image and show what is in it. */
@Command(name = "inspect",
        header = "Check a checkpoint image and show what is in it.",
        description = {"Check a checkpoint image (as dmtcp_restart does before restarting) and print its",
            "header fields and a summary of its sections."},
        sortOptions = false, versionProvider = VersionProvider.class)
public class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "A ckpt_*.dmtcp file.")
    Path image;

    @Option(names = "--verify", description = "Also check the checksum of every section's data (reads the whole file).")
    boolean verify;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    @Override
    public Integer call() {
        Path file = image.toAbsolutePath().normalize();
        ImageSummary s;
        try {
            s = ImageValidator.validate(file, verify);
        } catch (ImageException e) {
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", file.toString());
                m.put("valid", false);
                m.put("error", e.problem());
                System.out.println(Json.write(m));
            }
            throw new CliException(e.getMessage());
        }
        System.out.print(json ? Json.write(toMap(s)) + "\n" : text(s));
        System.out.flush();
        return 0;
    }

    static Map<String, Object> toMap(ImageSummary s) {
        ImageHeader h = s.header();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", s.file().toString());
        m.put("valid", true);
        m.put("payloads_verified", s.payloadsVerified());
        m.put("file_size", s.fileSize());
        m.put("format_version", h.formatVersion());
        m.put("architecture", h.architecture());
        m.put("created", Instant.EPOCH.plusNanos(h.creationTimeNanos()).toString());
        m.put("created_ns", h.creationTimeNanos());
        m.put("program", h.program());
        m.put("executable", h.executable());
        m.put("upid", h.upid());
        m.put("compid", h.compid());
        m.put("generation", h.generation());
        m.put("peers", h.peers());
        m.put("host", h.hostName());
        m.put("uid", h.uidUnsigned());
        m.put("gid", Integer.toUnsignedLong(h.gid()));
        m.put("pid", h.pid());
        // 0: not recorded (an older agent's image)
        m.put("ppid", h.ppid());
        m.put("sid", h.sid());
        m.put("pgid", h.pgid());
        m.put("tree_flags", h.treeFlags());
        m.put("kernel", h.kernelRelease());
        m.put("glibc", h.glibcVersion());
        m.put("plugins", h.plugins());
        m.put("bundles", h.bundles());
        m.put("compressed", h.compressed());
        Map<String, Object> counts = new LinkedHashMap<>();
        for (SectionType t : SectionType.values()) {
            if (s.count(t) > 0) {
                counts.put(t.name().toLowerCase(), s.count(t));
            }
        }
        m.put("sections", counts);
        m.put("threads", s.threads());
        m.put("regions", s.regions());
        m.put("memory_bytes", s.memoryBytes());
        m.put("stored_memory_bytes", s.storedMemoryBytes());
        m.put("plugin_sections", s.pluginSections());
        return m;
    }

    static String text(ImageSummary s) {
        ImageHeader h = s.header();
        StringBuilder sb = new StringBuilder();
        line(sb, "Image", s.file().toString());
        line(sb, "Size", bytes(s.fileSize()));
        line(sb, "Format", "version " + h.formatVersion() + ", " + h.architecture());
        line(sb, "Program", h.program());
        line(sb, "Executable", h.executable());
        line(sb, "Created", Instant.EPOCH.plusNanos(h.creationTimeNanos()).toString());
        line(sb, "Host", h.hostName());
        line(sb, "User", "uid " + h.uidUnsigned() + " (" + RestartCommand.userName(h.uidUnsigned()) + "), gid "
                + Integer.toUnsignedLong(h.gid()));
        line(sb, "PID", pidLine(h));
        line(sb, "UPID", h.upid());
        line(sb, "Computation", h.compid());
        line(sb, "Generation", h.generation() + " (" + h.peers() + " process(es) in the computation)");
        line(sb, "Kernel", h.kernelRelease());
        line(sb, "glibc", h.glibcVersion());
        line(sb, "Plugins", h.plugins().isEmpty() ? "none" : String.join(", ", h.plugins()));
        if (!h.bundles().isEmpty()) {
            line(sb, "Bundles", String.join(", ", h.bundles()));
        }
        StringBuilder sections = new StringBuilder();
        for (SectionType t : SectionType.values()) {
            if (s.count(t) > 0) {
                sections.append(sections.length() == 0 ? "" : ", ").append(t.name()).append(' ').append(s.count(t));
            }
        }
        line(sb, "Sections", s.sections() + (sections.length() == 0 ? "" : " (" + sections + ")"));
        if (s.threads() >= 0) {
            line(sb, "Threads", Integer.toString(s.threads()));
        }
        if (s.regions() >= 0) {
            line(sb, "Regions", Integer.toString(s.regions()));
        }
        line(sb, "Memory", bytes(s.memoryBytes()) + " saved, " + bytes(s.storedMemoryBytes()) + " on disk"
                + (h.compressed() ? " (LZ4)" : ""));
        if (!s.pluginSections().isEmpty()) {
            line(sb, "Plugin data", String.join(", ", s.pluginSections()));
        }
        line(sb, "Check", s.payloadsVerified() ? "complete; header, section and data checksums OK"
                : "complete; header and section checksums OK (data not read: use --verify)");
        return sb.toString();
    }

    /** The pids as the program sees them; an older agent's image records only the pid. */
    static String pidLine(ImageHeader h) {
        if (!h.treeRecorded()) {
            return Integer.toString(h.pid());
        }
        return h.pid() + " (parent " + knownPid(h.ppid()) + ", session " + knownPid(h.sid()) + ", process group "
                + knownPid(h.pgid()) + ")";
    }

    private static String knownPid(int pid) {
        return pid == 0 ? "unknown" : Integer.toString(pid);
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format("%-13s%s%n", key + ":", value));
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s (%d bytes)", v, units[u], n);
    }
}
