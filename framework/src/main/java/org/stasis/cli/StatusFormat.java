package org.stasis.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.stasis.barrier.Message;

/** Text and JSON renderings of coordinator RESULT messages. Pure functions. */
public final class StatusFormat {

    private static final Set<String> NUMBERS = Set.of("port", "peers", "generation", "interval", "count", "images",
            "value", "worker", "pid", "number");
    private static final Set<String> YES_NO = Set.of("running", "ckpt_in_progress");

    private StatusFormat() {}

    /** DMTCP-style status, with KEY=value lines scripts can grep (NUM_PEERS=, RUNNING=, ...). */
    public static String statusText(Message r, String host, int port) {
        StringBuilder sb = new StringBuilder();
        sb.append("Coordinator:\n");
        sb.append("  Host: ").append(r.get("host", host)).append('\n');
        sb.append("  Port: ").append(r.get("port", Integer.toString(port))).append('\n');
        sb.append("Status...\n");
        sb.append("  NUM_PEERS=").append(r.get("peers", "0")).append('\n');
        sb.append("  RUNNING=").append(r.get("running", "no")).append('\n');
        String interval = r.get("interval", "0");
        sb.append("  CKPT_INTERVAL=").append("0".equals(interval) ? "0 (checkpoint manually)" : interval).append('\n');
        sb.append("  GENERATION=").append(r.get("generation", "0")).append('\n');
        String last = r.get("last_result", "none");
        String err = r.get("last_error", "");
        sb.append("  LAST_CKPT=").append("failed".equals(last) && !err.isEmpty() ? "failed: " + err : last).append('\n');
        sb.append("  CKPT_IN_PROGRESS=").append(r.get("ckpt_in_progress", "no")).append('\n');
        sb.append("  COMPUTATION_ID=").append(r.get("compid", "")).append('\n');
        String images = r.get("last_images", "");
        if (!images.isEmpty()) {
            sb.append("  LAST_IMAGES=").append(images).append('\n');
        }
        String hookError = r.get("hook_error", "");
        if (!hookError.isEmpty()) {
            sb.append("  HOOK_ERROR=").append(hookError).append('\n');
        }
        return sb.toString();
    }

    /** One worker line of a {@code list} RESULT: "number upid pid host program state". */
    public record Worker(int number, String upid, long pid, String host, String program, String state) {}

    public static List<Worker> workers(Message r) {
        List<Map.Entry<Integer, String>> lines = new ArrayList<>();
        for (Map.Entry<String, String> e : r.fields().entrySet()) {
            if (e.getKey().startsWith("worker.")) {
                lines.add(Map.entry(parseInt(e.getKey().substring("worker.".length())), e.getValue()));
            }
        }
        lines.sort(Map.Entry.comparingByKey());
        List<Worker> out = new ArrayList<>();
        for (Map.Entry<Integer, String> e : lines) {
            String[] f = e.getValue().trim().split(" ");
            if (f.length < 5) {
                continue;
            }
            // The program name may contain spaces; the state is the last word.
            String state = f.length >= 6 ? f[f.length - 1] : "";
            String program = String.join(" ", Arrays.copyOfRange(f, 4, f.length >= 6 ? f.length - 1 : f.length));
            out.add(new Worker(parseInt(f[0]), f[1], parseLong(f[2]), f[3], program, state));
        }
        return out;
    }

    /** DMTCP-style client list. */
    public static String listText(Message r) {
        StringBuilder sb = new StringBuilder("Client List:\n#, PROG[PID]@HOST, UNIQUE-PID, STATE\n");
        for (Worker w : workers(r)) {
            sb.append(w.number()).append(", ").append(w.program()).append('[').append(w.pid()).append("]@")
                    .append(w.host()).append(", ").append(w.upid()).append(", ").append(w.state()).append('\n');
        }
        return sb.toString();
    }

    /** A RESULT as a JSON-ready map: typed values, list workers and image paths as arrays. */
    public static Map<String, Object> toJson(String command, Message r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("ok", r.isOk());
        for (Map.Entry<String, String> e : r.fields().entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k.equals("ok") || k.startsWith("worker.")) {
                continue;
            }
            if (NUMBERS.contains(k) && v.matches("-?[0-9]+")) {
                m.put(k, Long.parseLong(v));
            } else if (YES_NO.contains(k)) {
                m.put(k, v.equals("yes") || v.equals("1") || v.equals("true"));
            } else if (k.equals("last_images")) {
                m.put(k, v.isEmpty() ? List.of() : List.of(v.split(":")));
            } else {
                m.put(k, v);
            }
        }
        if (command.equals("list")) {
            List<Map<String, Object>> ws = new ArrayList<>();
            for (Worker w : workers(r)) {
                Map<String, Object> wm = new LinkedHashMap<>();
                wm.put("number", w.number());
                wm.put("upid", w.upid());
                wm.put("pid", w.pid());
                wm.put("host", w.host());
                wm.put("program", w.program());
                wm.put("state", w.state());
                ws.add(wm);
            }
            m.put("workers", ws);
        }
        return m;
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
