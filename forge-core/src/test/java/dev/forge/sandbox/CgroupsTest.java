package dev.forge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both cgroup versions against fake trees (plain folders and files where the kernel would show
 * its own), since a machine runs one version only: what {@link Cgroups} detects, which limit
 * files it writes, which {@code cgroup.procs} a step joins and how it reads the kernel's
 * counters. Removing a group needs the kernel (a real cgroup folder is removed while it still
 * lists its control files), so that is left to the builds of {@link SandboxedBuildTest}.
 */
class CgroupsTest {

    @TempDir
    Path temp;

    private static String mount(Path at, String type, String options) {
        return "99 25 0:99 / " + at + " rw,nosuid,nodev,noexec,relatime shared:9 - " + type + " " + type + " "
                + options;
    }

    @Test
    void v2_delegatesMemoryAndPids_andWritesItsLimitsIntoOneGroup() throws Exception {
        Path root = Files.createDirectories(temp.resolve("unified"));
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");

        Cgroups cgroups = Cgroups.detect(List.of(mount(temp.resolve("elsewhere"), "tmpfs", "rw"),
                mount(root, "cgroup2", "rw,nsdelegate,memory_recursiveprot"))).orElseThrow();

        assertThat(cgroups.label()).isEqualTo("cgroup v2");
        assertThat(root.resolve("cgroup.subtree_control")).hasContent("+memory +pids");
        Path parent = root.resolve(Cgroups.PARENT);
        assertThat(parent.resolve("cgroup.subtree_control")).hasContent("+memory +pids");

        Cgroups.Group group = cgroups.create("build-1-7", 64L * 1024 * 1024, 100);
        Path dir = parent.resolve("build-1-7");
        assertThat(dir.resolve("memory.max")).hasContent("67108864");
        assertThat(dir.resolve("pids.max")).hasContent("100");
        assertThat(group.procsFiles()).containsExactly(dir.resolve("cgroup.procs").toString());

        assertThat(group.oomKills()).isZero();
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\noom_group_kill 0\n");
        Files.writeString(dir.resolve("pids.events"), "max 5\n");
        assertThat(group.oomKills()).isEqualTo(2);
        assertThat(group.forkRefusals()).isEqualTo(5);

        Cgroups.Group unlimited = cgroups.create("build-1-8", 0, 0);
        assertThat(parent.resolve("build-1-8/memory.max")).hasContent("max");
        assertThat(parent.resolve("build-1-8/pids.max")).hasContent("max");
        assertThat(unlimited.procsFiles()).hasSize(1);
    }

    @Test
    void v2_withoutTheMemoryOrPidsController_isNotUsed() throws Exception {
        Path root = Files.createDirectories(temp.resolve("unified"));
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");

        assertThat(Cgroups.detect(List.of(mount(root, "cgroup2", "rw")))).isEmpty();
        assertThat(root.resolve("cgroup.subtree_control")).as("nothing was delegated").hasContent("");
    }

    @Test
    void v1_usesTheMemoryAndPidsHierarchies_andAStepJoinsBoth() throws Exception {
        Path memory = Files.createDirectories(temp.resolve("memory").resolve(Cgroups.PARENT));
        Path pids = Files.createDirectories(temp.resolve("pids").resolve(Cgroups.PARENT));
        Files.writeString(memory.resolve("cgroup.procs"), "");
        Files.writeString(pids.resolve("cgroup.procs"), "");

        Optional<Cgroups> detected = Cgroups.detect(List.of(
                mount(temp.resolve("cpu"), "cgroup", "rw,cpu,cpuacct"),
                mount(temp.resolve("memory"), "cgroup", "rw,memory"),
                mount(temp.resolve("pids"), "cgroup", "rw,pids")));

        Cgroups cgroups = detected.orElseThrow();
        assertThat(cgroups.label()).isEqualTo("cgroup v1");
        Cgroups.Group group = cgroups.create("build-2-9", 32L * 1024 * 1024, 64);
        assertThat(memory.resolve("build-2-9/memory.limit_in_bytes")).hasContent("33554432");
        assertThat(pids.resolve("build-2-9/pids.max")).hasContent("64");
        assertThat(group.procsFiles()).as("tasks: joining moves one thread, without the global lock")
                .containsExactly(memory.resolve("build-2-9/tasks").toString(),
                pids.resolve("build-2-9/tasks").toString());
        Files.writeString(memory.resolve("build-2-9/memory.oom_control"),
                "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        assertThat(group.oomKills()).isEqualTo(3);
    }

    @Test
    void detect_removesTheGroupsOfForgeProcessesThatAreGone_andKeepsThoseOfRunningOnes() throws Exception {
        Path root = Files.createDirectories(temp.resolve("unified"));
        Files.writeString(root.resolve("cgroup.controllers"), "memory pids\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        Path parent = Files.createDirectories(root.resolve(Cgroups.PARENT));
        // above the kernel's largest pid (2^22), so no process can have it
        Path gone = Files.createDirectories(parent.resolve("build-99999999-2100000000"));
        Path running = Files.createDirectories(parent.resolve("build-" + ProcessHandle.current().pid() + "-s1"));
        Path other = Files.createDirectories(parent.resolve("someone-else"));

        assertThat(Cgroups.detect(List.of(mount(root, "cgroup2", "rw")))).isPresent();

        assertThat(gone).doesNotExist();
        assertThat(running).isDirectory();
        assertThat(other).isDirectory();
        assertThat(Cgroups.ownerGone("build-99999999-7")).isTrue();
        assertThat(Cgroups.ownerGone("build-" + ProcessHandle.current().pid() + "-7")).isFalse();
        assertThat(Cgroups.ownerGone("build-x-7")).isFalse();
    }

    @Test
    void noCgroupMount_meansNoCgroups() {
        assertThat(Cgroups.detect(List.of(mount(temp, "ext4", "rw"), "garbage line"))).isEmpty();
    }
}
