package org.stasis.cli;

import java.util.Locale;
import picocli.CommandLine;

/**
 * {@code --save-written-files PER_FILE[,TOTAL]}: how much of the files a program has open for
 * writing the files plugin saves in each image (docs/architecture.md, "Files changed in place").
 * A file of at most {@code perFile} bytes is saved while the process's saved files stay within
 * {@code total}; larger ones are fingerprinted, and a restart that finds them changed in place is
 * refused. {@code 0} turns saving off (every such file is fingerprinted). Sizes are bytes with an
 * optional {@code K}, {@code M} or {@code G} (powers of 1024).
 *
 * @param perFile the largest file saved, in bytes
 * @param total the most saved per process, in bytes
 */
public record WrittenFilesLimits(long perFile, long total) {

    /** The variable the files plugin's native half reads at each checkpoint. */
    public static final String ENV = "STASIS_SAVE_WRITTEN_FILES";
    /** What applies when neither the option nor the variable is given (the native half's defaults). */
    public static final WrittenFilesLimits DEFAULT = new WrittenFilesLimits(16L << 20, 64L << 20);
    /** The largest size accepted: far beyond any file, small enough for the native half's arithmetic. */
    static final long MAX = 1L << 50;

    public WrittenFilesLimits {
        if (perFile < 0 || total < 0 || perFile > MAX || total > MAX) {
            throw new IllegalArgumentException("sizes must be between 0 and 1P");
        }
    }

    /**
     * Reads {@code PER_FILE[,TOTAL]}. A lone {@code 0} turns saving off; a lone size keeps the
     * default total, or the size itself when that is larger.
     *
     * @throws IllegalArgumentException with a message for the user when the text is not of that form
     */
    public static WrittenFilesLimits parse(String text) {
        String t = text.trim();
        int comma = t.indexOf(',');
        long perFile = size(comma < 0 ? t : t.substring(0, comma));
        long total;
        if (comma >= 0) {
            total = size(t.substring(comma + 1));
        } else {
            total = perFile == 0 ? 0 : Math.max(DEFAULT.total(), perFile);
        }
        return new WrittenFilesLimits(perFile, total);
    }

    private static long size(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        int shift = 0;
        if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
            shift = t.endsWith("K") ? 10 : t.endsWith("M") ? 20 : 30;
            t = t.substring(0, t.length() - 1);
        }
        if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9') || t.length() > 16) {
            throw new IllegalArgumentException("'" + s.trim() + "' is not a size (such as 16M, 1G or 4096)");
        }
        long v = Long.parseLong(t);
        if (v > (MAX >> shift)) {
            throw new IllegalArgumentException("'" + s.trim() + "' is too large");
        }
        return v << shift;
    }

    /** The value for {@link #ENV}: both sizes in bytes. */
    public String envValue() {
        return perFile + "," + total;
    }

    /** picocli's converter: a bad value is a usage error naming the option. */
    public static final class Converter implements CommandLine.ITypeConverter<WrittenFilesLimits> {
        @Override
        public WrittenFilesLimits convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage() + "; expected PER_FILE[,TOTAL], such as 16M,64M, or 0");
            }
        }
    }
}
