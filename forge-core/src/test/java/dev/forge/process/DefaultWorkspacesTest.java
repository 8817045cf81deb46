package dev.forge.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.InfrastructureException;
import dev.forge.exec.CancellationToken.Reason;
import dev.forge.project.Fixtures;
import dev.forge.project.ProjectConfigException;
import dev.forge.project.ProjectSpec;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultWorkspacesTest {

    @TempDir
    Path temp;

    private Path root;
    private Path source;
    private DefaultWorkspaces workspaces;
    private final RecordingTaskContext context = RecordingTaskContext.forBuild("calc", Map.of());

    @BeforeEach
    void setUp() throws IOException {
        root = temp.resolve("workspaces");
        source = Files.createDirectories(temp.resolve("source"));
        workspaces = DefaultWorkspaces.builder(root).build();
    }

    private ProjectSpec local(Path dir) {
        return ProjectSpec.builder("calc").localSource(dir).build();
    }

    @Test
    void prepare_localSource_copiesItIntoAFreshFolderPerCall() throws IOException {
        Fixtures.write(source, "Makefile", "all:\n\ttrue\n");
        Fixtures.write(source, "src/deep/file.txt", "content");
        Path script = Fixtures.write(source, "run.sh", "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));

        Path first = workspaces.prepare(local(source), context);
        Path second = workspaces.prepare(local(source), context);

        assertThat(first).isNotEqualTo(second);
        assertThat(first.getParent()).isEqualTo(root);
        assertThat(first.getFileName().toString()).startsWith("test-task-1-1-");
        assertThat(Fixtures.listing(first)).containsExactly("Makefile", "run.sh", "src", "src/deep",
                "src/deep/file.txt");
        assertThat(Files.readString(first.resolve("src/deep/file.txt"))).isEqualTo("content");
        assertThat(Files.isExecutable(first.resolve("run.sh"))).isTrue();
    }

    @Test
    void prepare_localSource_changesInTheWorkspaceNeverReachTheSource() throws IOException {
        Fixtures.write(source, "file.txt", "original");

        Path ws = workspaces.prepare(local(source), context);
        Files.writeString(ws.resolve("file.txt"), "changed");
        Files.writeString(ws.resolve("new.txt"), "new");

        assertThat(Files.readString(source.resolve("file.txt"))).isEqualTo("original");
        assertThat(Fixtures.listing(source)).containsExactly("file.txt");
    }

    @Test
    void prepare_localSource_keepsInnerLinksAndDropsLinksLeadingOut() throws IOException {
        Path outside = Fixtures.write(temp, "secret.txt", "secret");
        Fixtures.write(source, "lib/real.txt", "real");
        Files.createDirectories(source.resolve("sub"));
        Files.createSymbolicLink(source.resolve("inner"), Path.of("lib/real.txt"));
        Files.createSymbolicLink(source.resolve("absolute"), outside);
        Files.createSymbolicLink(source.resolve("escape"), Path.of("../secret.txt"));
        Files.createSymbolicLink(source.resolve("parent"), Path.of(".."));
        // lexically inside, but "up" resolves to the source's parent
        Files.createSymbolicLink(source.resolve("sub/up"), Path.of(".."));
        Files.createSymbolicLink(source.resolve("sub/sneaky"), Path.of("up/../secret.txt"));
        Files.createSymbolicLink(source.resolve("dangling"), Path.of("missing.txt"));

        Path ws = workspaces.prepare(local(source), context);

        assertThat(Files.readString(ws.resolve("inner"))).isEqualTo("real");
        assertThat(Files.isSymbolicLink(ws.resolve("inner"))).isTrue();
        assertThat(ws.resolve("absolute")).doesNotExist();
        assertThat(ws.resolve("escape")).doesNotExist();
        assertThat(ws.resolve("parent")).doesNotExist();
        assertThat(ws.resolve("sub/sneaky")).doesNotExist();
        assertThat(ws.resolve("dangling")).doesNotExist();
        assertThat(context.logText()).contains("skipped symbolic link 'absolute'",
                "skipped symbolic link 'escape'", "skipped symbolic link 'parent': points outside",
                "skipped symbolic link 'dangling': dangling", "skipped symbolic link 'sub/sneaky'");
    }

    @Test
    void prepare_missingLocalSource_isAConfigError_andLeavesNoWorkspace() throws IOException {
        assertThatThrownBy(() -> workspaces.prepare(local(temp.resolve("gone")), context))
                .isInstanceOf(ProjectConfigException.class)
                .hasMessage("the source folder of project 'calc' does not exist");
        assertThat(Fixtures.listing(root)).isEmpty();
    }

    @Test
    void prepare_cancelledDuringCopy_stopsAndLeavesNoWorkspace() throws IOException {
        Fixtures.write(source, "a.txt", "a");
        context.cancellationSource().cancel(Reason.USER);

        assertThatThrownBy(() -> workspaces.prepare(local(source), context))
                .isInstanceOf(InfrastructureException.class).hasMessageContaining("stopped (USER)");
        assertThat(Fixtures.listing(root)).isEmpty();
    }

    @Test
    void prepare_gitSource_clonesTheRefAndLogsGitOutput() throws Exception {
        Path work = Files.createDirectories(temp.resolve("work"));
        Fixtures.write(work, "README.md", "on main");
        String url = Fixtures.bareRepository(temp, work, "feature");
        Fixtures.write(work, "README.md", "on feature");
        Fixtures.exec(work, "git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qam", "f");
        Fixtures.exec(work, "git", "push", "-q", url, "main:feature");

        Path main = workspaces.prepare(ProjectSpec.builder("calc").gitSource(url, "main").build(), context);
        Path feature = workspaces.prepare(ProjectSpec.builder("calc").gitSource(url, "feature").build(), context);
        Path head = workspaces.prepare(ProjectSpec.builder("calc").gitSource(url, null).build(), context);

        assertThat(Files.readString(main.resolve("README.md"))).isEqualTo("on main");
        assertThat(Files.readString(feature.resolve("README.md"))).isEqualTo("on feature");
        assertThat(Files.readString(head.resolve("README.md"))).isEqualTo("on main");
        assertThat(Fixtures.exec(feature, "git", "rev-list", "--count", "HEAD").strip()).isEqualTo("1");
        assertThat(context.logText()).contains("git: Cloning into");
    }

    @Test
    void prepare_unknownRef_isAConfigError_andLeavesNoWorkspace() throws Exception {
        Path work = Files.createDirectories(temp.resolve("work"));
        Fixtures.write(work, "README.md", "x");
        String url = Fixtures.bareRepository(temp, work);

        assertThatThrownBy(() -> workspaces.prepare(
                ProjectSpec.builder("calc").gitSource(url, "no-such-branch").build(), context))
                .isInstanceOf(ProjectConfigException.class)
                .hasMessage("git ref 'no-such-branch' of project 'calc' was not found in its repository");
        assertThat(Fixtures.listing(root)).isEmpty();
    }

    @Test
    void prepare_noRepositoryAtTheUrl_isAConfigError_notRetried() throws IOException {
        for (String url : List.of(temp.resolve("no-repo.git").toUri().toString(), temp.resolve("no-repo.git").toString(),
                "not a url")) {
            assertThatThrownBy(() -> workspaces.prepare(ProjectSpec.builder("calc").gitSource(url, "main")
                    .build(), context))
                    .as(url)
                    .isInstanceOf(ProjectConfigException.class)
                    .hasMessageContaining("git could not fetch the source of project 'calc' as configured");
        }
        assertThat(Fixtures.listing(root)).isEmpty();
    }

    @Test
    void prepare_refusedTransport_isAConfigError_andRunsNothing() throws IOException {
        Path marker = temp.resolve("ran");
        for (String url : List.of("ext::sh -c touch% " + marker, "fd::17", "foo://host/repo.git")) {
            assertThatThrownBy(() -> workspaces.prepare(ProjectSpec.builder("calc").gitSource(url, null)
                    .build(), context))
                    .as(url)
                    .isInstanceOf(ProjectConfigException.class)
                    .hasMessageContaining("not allowed");
        }
        assertThat(marker).doesNotExist();
        assertThat(Fixtures.listing(root)).isEmpty();
    }

    @Test
    void prepare_connectionRefused_isAnInfrastructureError() throws IOException {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/repo.git";

        assertThatThrownBy(() -> workspaces.prepare(ProjectSpec.builder("calc").gitSource(url, "main")
                .build(), context))
                .isInstanceOf(InfrastructureException.class)
                .hasMessageContaining("git clone of project 'calc' failed with exit code 128");
        assertThat(Fixtures.listing(root)).isEmpty();
    }

    @Test
    void isConfigError_classifiesGitsMessages() {
        assertThat(DefaultWorkspaces.isConfigError(128, "fatal: repository 'https://h/x' not found")).isTrue();
        assertThat(DefaultWorkspaces.isConfigError(128,
                "fatal: could not read Username for 'https://h': terminal prompts disabled")).isTrue();
        assertThat(DefaultWorkspaces.isConfigError(128, "git@h: Permission denied (publickey).")).isTrue();
        assertThat(DefaultWorkspaces.isConfigError(129, "usage: git clone")).isTrue();
        assertThat(DefaultWorkspaces.isConfigError(128, "ssh: Could not resolve hostname h: Name or service not known\n"
                + "fatal: Could not read from remote repository.")).isFalse();
        assertThat(DefaultWorkspaces.isConfigError(128, "fatal: unable to access 'https://h/x/': Could not resolve host: h"))
                .isFalse();
        assertThat(DefaultWorkspaces.isConfigError(128, "error: RPC failed; curl 56\nfatal: early EOF")).isFalse();
    }

    @Test
    void prepare_gitMissing_isAClearInfrastructureError() throws IOException {
        DefaultWorkspaces noGit = DefaultWorkspaces.builder(root).gitExecutable("/nonexistent/git").build();

        assertThatThrownBy(() -> noGit.prepare(ProjectSpec.builder("calc")
                .gitSource("file:///nowhere.git", null).build(), context))
                .isInstanceOf(InfrastructureException.class)
                .hasMessageContaining("git could not be started ('/nonexistent/git' is missing or not executable)");
        assertThat(Fixtures.listing(root)).isEmpty();
    }

    @Test
    void gitEnvironment_holdsOnlyAllowlistedVariables() {
        DefaultWorkspaces ws = DefaultWorkspaces.builder(root).parentEnvironment(Map.of(
                "PATH", "/usr/bin", "HOME", "/home/forge", "FORGE_JWT_SECRET", "s3cret",
                "FORGE_REDIS_URL", "redis://:pw@host", "AWS_SECRET_ACCESS_KEY", "k")).build();

        assertThat(ws.gitEnvironment()).isEqualTo(Map.of("PATH", "/usr/bin", "HOME", "/home/forge",
                "GIT_TERMINAL_PROMPT", "0", "GIT_ALLOW_PROTOCOL", "file:git:http:https:ssh", "LC_ALL", "C"));
    }

    @Test
    void redact_hidesCredentialsInUrls() {
        assertThat(DefaultWorkspaces.redact("fatal: unable to access 'https://bob:tok3n@host/r.git/'"))
                .isEqualTo("fatal: unable to access 'https://***@host/r.git/'");
    }

    @Test
    void release_deletesTheWorkspace_evenWithReadOnlyFolders() throws IOException {
        Fixtures.write(source, "a/b.txt", "x");
        Path ws = workspaces.prepare(local(source), context);
        Files.setPosixFilePermissions(ws.resolve("a"), PosixFilePermissions.fromString("r-x------"));

        workspaces.release(ws, false);

        assertThat(ws).doesNotExist();
        assertThat(source.resolve("a/b.txt")).exists();
    }

    @Test
    void sweep_deletesWorkspacesNoLiveAttemptHolds_andNothingElse() throws IOException {
        Fixtures.write(source, "a.txt", "x");
        Path live = workspaces.prepare(local(source), context);
        Path kept = workspaces.prepare(local(source), context);
        workspaces.release(kept, true); // kept for inspection, but less than a minute old
        // left by a process that died: its lock file exists but nobody holds the lock
        Path crashed = Files.createDirectories(root.resolve("t1-1-123456789"));
        Fixtures.write(crashed, "big.bin", "y");
        Files.writeString(root.resolve("t1-1-123456789.lock"), "");
        // no lock file at all (an older run), but old: swept; a fresh one may be in the making: kept
        Path old = Files.createDirectories(root.resolve("t2-3-987654321"));
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Path fresh = Files.createDirectories(root.resolve("t3-1-555"));
        Path unrelated = Files.createDirectories(root.resolve("not a workspace"));

        int deleted = DefaultWorkspaces.sweep(root);

        assertThat(deleted).isEqualTo(2);
        assertThat(crashed).doesNotExist();
        assertThat(root.resolve("t1-1-123456789.lock")).doesNotExist();
        assertThat(old).doesNotExist();
        assertThat(live.resolve("a.txt")).exists();
        assertThat(kept.resolve("a.txt")).exists();
        assertThat(fresh).exists();
        assertThat(unrelated).exists();
        workspaces.release(live, false);
        assertThat(Fixtures.listing(root)).doesNotContain(live.getFileName().toString(),
                live.getFileName() + ".lock");
    }

    @Test
    void sweep_missingRoot_deletesNothing() {
        assertThat(DefaultWorkspaces.sweep(temp.resolve("nowhere"))).isZero();
    }

    @Test
    void release_keep_leavesTheWorkspace() throws IOException {
        Fixtures.write(source, "a.txt", "x");
        Path ws = workspaces.prepare(local(source), context);

        workspaces.release(ws, true);

        assertThat(ws.resolve("a.txt")).exists();
    }

    @Test
    void release_pathOutsideTheRoot_isRefused() {
        assertThatThrownBy(() -> workspaces.release(source, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> workspaces.release(root.resolve("x/../.."), false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(source).exists();
    }

    @Test
    void builder_rejectsBadSettings() {
        assertThatThrownBy(() -> DefaultWorkspaces.builder(root).gitExecutable(" "))
                .hasMessageContaining("gitExecutable");
        assertThatThrownBy(() -> DefaultWorkspaces.builder(root).inheritEnv(java.util.Set.of("A=B")))
                .hasMessageContaining("'A=B'");
        assertThatThrownBy(() -> DefaultWorkspaces.builder(root).maxLineLength(10))
                .hasMessageContaining("maxLineLength");
    }
}
