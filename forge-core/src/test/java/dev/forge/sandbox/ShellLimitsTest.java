package dev.forge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The shell's {@code ulimit} is used only where it sets exactly what forge asks. */
class ShellLimitsTest {

    private static String limits(String cpu, String file, String data, String processes) {
        return "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max cpu time              " + cpu + "                 " + cpu + "                 seconds   \n"
                + "Max file size             " + file + "             " + file + "             bytes     \n"
                + "Max data size             " + data + "            " + data + "            bytes     \n"
                + "Max processes             " + processes + "                 " + processes
                + "                 processes \n"
                + "Max open files            1024                 1048576              files     \n";
    }

    private static final String DASH = "NPROC=-p\n" + limits("3593", Long.toString(40_961L * 512),
            Long.toString(262_147L * 1024), "4091");

    @Test
    void parse_dash_usesMinusPAnd512ByteBlocks() {
        assertThat(ShellLimits.parse(DASH)).contains(new ShellLimits("-p", 512));
    }

    @Test
    void parse_bash_usesMinusUAnd1024ByteBlocks() {
        String bash = "NPROC=-u\n" + limits("3593", Long.toString(40_961L * 1024), Long.toString(262_147L * 1024),
                "4091");
        assertThat(ShellLimits.parse(bash)).contains(new ShellLimits("-u", 1024));
    }

    @Test
    void parse_refusesAnythingNotSetExactly() {
        assertThat(ShellLimits.parse(DASH.replace("NPROC=-p\n", ""))).as("no process option").isEmpty();
        assertThat(ShellLimits.parse(DASH.replace("3593                 3593", "3593                 unlimited")))
                .as("soft limit only").isEmpty();
        assertThat(ShellLimits.parse(DASH.replace("4091                 4091", "unlimited                 unlimited")))
                .as("process limit not set").isEmpty();
        assertThat(ShellLimits.parse(DASH.replace(Long.toString(40_961L * 512), Long.toString(40_961L * 4))))
                .as("file size in an unknown unit").isEmpty();
        assertThat(ShellLimits.parse("")).isEmpty();
    }

    @Test
    void arguments_convertToTheShellsUnits_andLeaveZerosOff() {
        ShellLimits dash = new ShellLimits("-p", 512);
        assertThat(dash.arguments(60, 1024L * 1024, 64, 16L * 1024 * 1024))
                .containsExactly("-t", "60", "-f", "2048", "-p", "64", "-d", "16384");
        assertThat(new ShellLimits("-u", 1024).arguments(0, 1024L * 1024, 0, 0)).containsExactly("-f", "1024");
        assertThat(dash.arguments(0, 0, 0, 0)).isEmpty();
    }

    @Test
    void probe_onThisMachine_readsBackWhatItSet() {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/limits")), "needs Linux /proc");
        Optional<ShellLimits> probed = ShellLimits.probe(Path.of("/bin/sh"));
        // dash (Debian), bash (Fedora) and busybox (Alpine) all set the four limits
        assertThat(probed).isPresent();
        assertThat(probed.get().processesOption()).isIn("-p", "-u");
        assertThat(probed.get().fileSizeUnit()).isIn(512L, 1024L);
        assertThat(ShellLimits.probe(Path.of("/nonexistent/sh"))).isEmpty();
    }
}
