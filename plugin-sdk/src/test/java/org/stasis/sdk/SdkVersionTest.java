package org.stasis.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SdkVersionTest {

    @Test
    void parsesMajorMinorAndIgnoresMicro() {
        assertEquals(new SdkVersion(1, 0), SdkVersion.parse("1"));
        assertEquals(new SdkVersion(1, 2), SdkVersion.parse(" 1.2 "));
        assertEquals(new SdkVersion(1, 2), SdkVersion.parse("1.2.7"));
    }

    @Test
    void refusesNonVersions() {
        for (String bad : new String[] {null, "", "1.x", "one", "1.2.3.4", "-1.0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SdkVersion.parse(bad));
            assertTrue(e.getMessage().contains("not an SDK version"), e.getMessage());
        }
    }

    @Test
    void sameMajorOlderOrEqualMinorIsAccepted() {
        SdkVersion host = new SdkVersion(1, 3);
        assertTrue(host.accepts(new SdkVersion(1, 0)));
        assertTrue(host.accepts(new SdkVersion(1, 3)));
    }

    @Test
    void newerMinorIsRefusedWithAReason() {
        String why = new SdkVersion(1, 0).refusal(new SdkVersion(1, 2)).orElseThrow();
        assertTrue(why.contains("built against SDK 1.2, newer than this Stasis's SDK 1.0"), why);
    }

    @Test
    void otherMajorIsRefusedBothWays() {
        SdkVersion host = new SdkVersion(2, 1);
        assertFalse(host.accepts(new SdkVersion(1, 0)));
        assertFalse(host.accepts(new SdkVersion(3, 0)));
        assertTrue(host.refusal(new SdkVersion(1, 0)).orElseThrow().contains("major versions differ"));
    }

    @Test
    void currentAgreesWithTheExportedPackageVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = SdkVersion.class.getResourceAsStream("sdk-version.properties")) {
            p.load(in);
        }
        assertEquals(SdkVersion.CURRENT, SdkVersion.parse(p.getProperty("sdk.version")));
    }
}
