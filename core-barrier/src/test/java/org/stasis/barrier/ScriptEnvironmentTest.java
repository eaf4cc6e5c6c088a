package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptEnvironmentTest {

    @Test
    void roundTripKeepsEveryCharacterAndTheOrder() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("Z_LAST_BY_NAME", "a value with spaces");
        vars.put("QUOTES", "it's \"quoted\" and `backticked`");
        vars.put("DOLLARS", "$HOME ${PATH} $(id) 100%");
        vars.put("EMPTY", "");
        vars.put("LINES", "one\ntwo\r\n\ttab");
        vars.put("EQUALS", "a=b=c");
        vars.put("UNICODE", "Grüße, 世界 \uD83D\uDE00");
        vars.put("_path", "/scratch/x-y_z.~1:2,3@4+5");
        String text = ScriptEnvironment.encode(vars);
        assertTrue(text.matches("[\\x21-\\x7e]+( [\\x21-\\x7e]+)*"), "printable ASCII, one line: " + text);
        assertEquals(vars.size(), text.split(" ").length, text);
        Map<String, String> back = ScriptEnvironment.decode(text);
        assertEquals(vars, back);
        assertEquals(List.copyOf(vars.keySet()), List.copyOf(back.keySet()));
    }

    @Test
    void encodingIsReadable() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("A", "x y");
        vars.put("B", "/p/q.jar");
        assertEquals("A=x%20y B=/p/q.jar", ScriptEnvironment.encode(vars));
        assertEquals("", ScriptEnvironment.encode(Map.of()));
        assertEquals(Map.of(), ScriptEnvironment.decode(""));
        assertEquals(Map.of(), ScriptEnvironment.decode("   "));
        assertEquals(Map.of(), ScriptEnvironment.decode(null));
        assertEquals(Map.of("A", "%"), ScriptEnvironment.decode("  A=%25  "));
    }

    @Test
    void namesMustBeShellVariablesTheScriptDoesNotUse() {
        assertNull(ScriptEnvironment.nameProblem("MY_VAR1"));
        assertNull(ScriptEnvironment.nameProblem("_x"));
        for (String bad : List.of("", "1X", "A-B", "A B", "A=B", "Ä", "A.B")) {
            assertTrue(ScriptEnvironment.nameProblem(bad).contains("not a shell variable name"), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ScriptEnvironment.encode(Map.of(bad, "v")), bad);
            assertTrue(e.getMessage().startsWith("restart-script variable " + bad + ": "), e.getMessage());
        }
        for (String reserved : List.of("STASIS_PLUGIN_BUNDLES", "STASIS_SCRIPT_ENV", "images", "coord_host")) {
            assertEquals(reserved + " is set by the restart script itself", ScriptEnvironment.nameProblem(reserved));
        }
        assertThrows(IllegalArgumentException.class, () -> ScriptEnvironment.encode(Map.of("A", "x\0y")));
    }

    @Test
    void malformedTextIsRefusedWithTheReason() {
        assertEquals("'A' is not NAME=VALUE", refusal("A"));
        assertEquals("'1A' is not a shell variable name (letters, digits and _, not starting with a digit)",
                refusal("1A=x"));
        assertEquals("A: bad escape at '%4'", refusal("A=%4"));
        assertEquals("A: bad escape at '%zz'", refusal("A=%zz"));
        assertEquals("A: character '\"' must be %-escaped", refusal("A=\"x\""));
        assertEquals("A: character '$' must be %-escaped", refusal("A=$HOME"));
        assertEquals("A: the value is not UTF-8", refusal("A=%FF"));
        assertEquals("A appears twice", refusal("A=1 A=2"));
        assertEquals("images is set by the restart script itself", refusal("images=x"));
        assertEquals("A: the value contains a NUL character, which no environment variable can hold",
                refusal("A=%00"));
    }

    private static String refusal(String text) {
        return assertThrows(IllegalArgumentException.class, () -> ScriptEnvironment.decode(text)).getMessage();
    }
}
