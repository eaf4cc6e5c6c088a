package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WrittenFilesLimitsTest {

    @Test
    void sizesWithUnits() {
        assertEquals(new WrittenFilesLimits(16L << 20, 64L << 20), WrittenFilesLimits.parse("16M,64M"));
        assertEquals(new WrittenFilesLimits(4096, 1L << 30), WrittenFilesLimits.parse(" 4096 , 1g "));
        assertEquals(new WrittenFilesLimits(512L << 10, 512L << 10), WrittenFilesLimits.parse("512K,512K"));
        assertEquals("16777216,67108864", WrittenFilesLimits.DEFAULT.envValue());
    }

    @Test
    void aLoneSizeKeepsTheDefaultTotalUnlessLarger() {
        assertEquals(new WrittenFilesLimits(1L << 20, 64L << 20), WrittenFilesLimits.parse("1M"));
        assertEquals(new WrittenFilesLimits(1L << 30, 1L << 30), WrittenFilesLimits.parse("1G"));
        assertEquals(new WrittenFilesLimits(0, 0), WrittenFilesLimits.parse("0"), "0 turns saving off");
    }

    @Test
    void badValuesAreRefusedWithAMessage() {
        for (String bad : new String[] {"", "M", "16X", "-1", "1,2,3", "16M,", "1.5G", "99999999999999999G"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WrittenFilesLimits.parse(bad), bad);
            assertTrue(e.getMessage().contains("size") || e.getMessage().contains("too large"), e.getMessage());
        }
    }

    @Test
    void theOptionReachesTheProgramsEnvironment() {
        LaunchOptions given = LaunchOptionsTest.parse(Env.of(), "--save-written-files", "1M,8M", "p");
        assertEquals(new WrittenFilesLimits(1L << 20, 8L << 20), given.saveWrittenFiles());
        Map<String, String> env = ProgramEnvironment.forLaunch(Map.of(), given, ProgramEnvironmentTest.SESSION,
                ProgramEnvironmentTest.AGENT, PluginLaunch.NONE);
        assertEquals("1048576,8388608", env.get(WrittenFilesLimits.ENV));

        LaunchOptions absent = LaunchOptionsTest.parse(Env.of(), "p");
        assertNull(absent.saveWrittenFiles());
        Map<String, String> inherited = ProgramEnvironment.forLaunch(Map.of(WrittenFilesLimits.ENV, "0"), absent,
                ProgramEnvironmentTest.SESSION, ProgramEnvironmentTest.AGENT, PluginLaunch.NONE);
        assertEquals("0", inherited.get(WrittenFilesLimits.ENV), "without the option, a variable set by hand applies");
        assertFalse(ProgramEnvironment.forLaunch(Map.of(), absent, ProgramEnvironmentTest.SESSION,
                ProgramEnvironmentTest.AGENT, PluginLaunch.NONE).containsKey(WrittenFilesLimits.ENV));
    }

    @Test
    void aBadOptionIsAUsageError() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> LaunchOptionsTest.parse(Env.of(), "--save-written-files", "lots", "p"));
        assertTrue(e.getMessage().contains("--save-written-files") && e.getMessage().contains("PER_FILE[,TOTAL]"), e.getMessage());
        assertTrue(Cli.build("dmtcp_launch").getUsageMessage().contains("default: 16M,64M"));
    }
}
