package dev.glomers.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the jar's entry point makes of its command line (the process-level behaviour is JarMainIT's). */
class JarMainTest {

    @Test
    void theProfilesGoFirstAndTheOtherSpringArgumentsFollowWithoutOurOwn() {
        assertThat(JarMain.nodeArgs(new String[] {"--glomers.kv.timeout=2s", "--spring.profiles.active=broadcast,frugal",
                "--glomers.host=on"}))
                .containsExactly("broadcast,frugal", "--glomers.kv.timeout=2s");
    }

    @Test
    void repeatedProfileArgumentsAreJoinedAsSpringJoinsThem() {
        assertThat(JarMain.nodeArgs(new String[] {"--spring.profiles.active=broadcast", "--spring.profiles.active=frugal"}))
                .containsExactly("broadcast,frugal");
    }

    @Test
    void withoutAProfileArgumentSpringBootDecides() {
        assertThat(JarMain.nodeArgs(new String[] {"--glomers.kv.timeout=2s"})).isNull();
        assertThat(JarMain.nodeArgs(new String[] {"--spring.profiles.active="})).isNull();
    }

    @Test
    void theStandaloneNodeAndTheClusterRunnerAreOneArgumentAway() {
        assertThat(JarMain.hostWanted(new String[] {"--spring.profiles.active=echo"})).isTrue();
        assertThat(JarMain.hostWanted(new String[] {"--spring.profiles.active=echo", "--glomers.host=off"})).isFalse();
        assertThat(JarMain.hostWanted(new String[] {"cluster", "-w", "echo"})).isFalse();
    }
}
