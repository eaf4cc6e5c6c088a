package org.stasis.barrier;

import java.util.List;

/**
 * The words for a restart of only some of a computation's images that is refused: by the
 * coordinator when no further process came in time ({@link RestartGathering}), or by a restart
 * front end that finds no other restart of the computation under way. Pure.
 */
public final class RestartRefusal {
    private RestartRefusal() {}

    /**
     * @param present the processes restarted, each as "program (image file name)"
     * @param why why no other is coming, such as "no other came within 1 s"
     * @param missing what is known about the missing ones (their image files), or empty
     */
    public static String text(String compid, int generation, int expected, List<String> present, String why,
            String missing) {
        int absent = expected - present.size();
        StringBuilder sb = new StringBuilder();
        sb.append("restart refused: computation ").append(compid).append(" had ").append(expected)
                .append(" processes at generation ").append(generation).append(", but only ").append(present.size())
                .append(present.size() == 1 ? " was" : " were").append(" restarted (")
                .append(String.join(", ", present)).append(") and ").append(why).append("; ").append(absent)
                .append(absent == 1 ? " is" : " are").append(" missing");
        if (!missing.isBlank()) {
            sb.append(": ").append(missing);
        }
        sb.append(". Restart all ").append(expected).append(" images of computation ").append(compid)
                .append(", generation ").append(generation).append(" together: dmtcp_restart ckpt_*.dmtcp")
                .append(" (the images of that generation) or ./dmtcp_restart_script.sh");
        return sb.toString();
    }
}
