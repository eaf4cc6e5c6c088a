package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OptionVariablesTest {

    @Test
    void variableIsPrefixPluginAndOptionRest() {
        assertEquals("STASIS_OPT_COUNTER_START", OptionVariables.variable("counter", "--counter-start"));
        assertEquals("STASIS_OPT_MY_FS_CACHE_DIR", OptionVariables.variable("my-fs", "--my-fs-cache-dir"));
        assertEquals("STASIS_OPT_X2_Y", OptionVariables.variable("x2", "--x2-y"));
    }

    @Test
    void optionsMustCarryThePluginsPrefix() {
        assertEquals("--counter-", OptionVariables.optionPrefix("counter"));
        assertTrue(OptionVariables.belongsTo("counter", "--counter-start"));
        assertFalse(OptionVariables.belongsTo("counter", "--counter-"));
        assertFalse(OptionVariables.belongsTo("counter", "--counter"));
        assertFalse(OptionVariables.belongsTo("counter", "--counterstart"));
        assertFalse(OptionVariables.belongsTo("counter", "--start"));
        // Dashes are not a namespace boundary: plugin my may have --my-fs-x even if plugin my-fs exists.
        assertTrue(OptionVariables.belongsTo("my", "--my-fs-x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionVariables.variable("counter", "--start"));
        assertEquals("option --start is not named --counter-...", e.getMessage());
    }
}
