package dev.forge.validation;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Shell injection, scanned by hand rather than by one big regex: an alternation of a hundred
 * command names would be tried at every separator, while a set lookup of the one word that
 * follows costs the same however long the list grows. One pass, linear: each separator looks only
 * at the blanks and the single word after it.
 */
final class ShellScan {

    /** Commands that are an attack whenever they follow a shell separator. */
    static final Set<String> STRONG_COMMANDS = Set.of(
            "rm", "rmdir", "shred", "curl", "wget", "cat", "tac", "nl", "sh", "bash", "zsh",
            "ksh", "csh", "tcsh", "ash", "busybox", "nc", "ncat", "netcat", "socat", "telnet",
            "ssh", "scp", "sftp", "ftp", "tftp", "rsync", "chmod", "chown", "chgrp", "chattr",
            "sudo", "su", "doas", "python", "python2", "python3", "perl", "ruby", "php", "lua",
            "powershell", "pwsh", "cmd", "mkfifo", "base64", "xxd", "xargs", "nohup", "whoami",
            "uname", "ifconfig", "ipconfig", "nslookup", "crontab", "mkfs", "dd", "eval", "exec",
            "env", "printenv", "passwd", "useradd", "usermod", "killall", "pkill", "reboot",
            "poweroff", "shutdown", "systemctl", "iptables", "certutil", "bitsadmin", "wscript",
            "cscript", "mshta", "rundll32", "regsvr32", "awk", "gawk", "sed", "openssl", "xterm");

    /**
     * Commands that are also English words ({@code find the bug}, {@code ping me}): an attack only
     * when followed by something shaped like shell arguments, or by nothing.
     */
    static final Set<String> WEAK_COMMANDS = Set.of(
            "id", "ls", "dir", "ping", "sleep", "kill", "echo", "printf", "find", "touch",
            "export", "unset", "source", "dig", "host", "halt", "node", "dash", "tee", "head",
            "tail", "more", "less", "mv", "cp", "ln", "chroot", "mount", "nmap", "whois",
            "traceroute", "tar", "zip", "unzip", "type", "del", "start");

    /** Weak commands whose first argument is usually a number: {@code sleep 10}, {@code kill 1}. */
    private static final Set<String> NUMERIC_COMMANDS = Set.of("sleep", "ping", "kill");

    /**
     * After a weak command: the end, another separator, or a flag, path or variable. (Not a
     * quote: {@code ; echo "done" to Slack} is how people write.)
     */
    private static final Pattern WEAK_ARGUMENTS = Pattern.compile(
            "[ \\t]*+(?:\\z|[;|&`)\\n\\r])|\\s++(?:-{1,2}[a-z0-9]|[/~$`]|\\.{1,2}/)");

    /** A redirection into a system directory: {@code > /etc/cron.d/x}, {@code >> /root/.ssh/...}. */
    private static final Pattern SYSTEM_REDIRECT = Pattern.compile(
            ">[>&|]?[ \\t]*+/(?:etc|dev|root|boot|bin|sbin|usr|var|proc|sys|home)/");

    private static final Pattern NUMERIC_ARGUMENT = Pattern.compile("\\s++-?\\d");

    /** An absolute path to a binary: /bin/sh, /usr/local/bin/python3. */
    private static final Pattern BINARY_PATH =
            Pattern.compile("(?:/usr)?(?:/local)?/s?bin/[a-z0-9_.+-]");
    /** A path whose directories are globbed, e.g. {@code /???/?at}: binaries without names. */
    private static final Pattern GLOB_PATH = Pattern.compile("/[^\\s/]*[?*][^\\s/]*/");

    private ShellScan() {
    }

    /**
     * True when the normalised, lower-cased text holds shell chaining or substitution, or a
     * command after a separator.
     */
    static boolean found(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            char next = i + 1 < n ? text.charAt(i + 1) : 0;
            switch (c) {
                case '>' -> {
                    if (SYSTEM_REDIRECT.matcher(text).region(i, n).lookingAt()) {
                        return true;
                    }
                    continue;
                }
                case '&', '|' -> {
                    if (next == c) {
                        return true; // && and ||
                    }
                }
                case '$' -> {
                    if (next == '(' || next == '{') {
                        return true; // $( ) and ${ }
                    }
                    continue;
                }
                case ';', '`', '\n', '\r' -> {
                    // a separator: fall through to the command check
                }
                default -> {
                    continue;
                }
            }
            if (commandAt(text, i + 1)) {
                return true;
            }
        }
        return text.contains("/dev/tcp/") || text.contains("/dev/udp/");
    }

    /**
     * Whether a command starts at {@code from}, after blanks, an optional brace and an optional
     * {@code $IFS}. Quotes and backslashes inside the word are dropped first, as a shell would:
     * {@code \rm}, {@code 'rm'} and {@code r''m} all run {@code rm}.
     */
    private static boolean commandAt(String text, int from) {
        int n = text.length();
        int i = from;
        while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        if (i < n && text.charAt(i) == '{') {
            i++; // brace expansion: ;{cat,/etc/hosts}
        }
        if (text.startsWith("$ifs", i)) {
            i += 4; // ;$IFS'cat'$IFS/etc/hosts
        }
        if (i >= n) {
            return false;
        }
        if (text.charAt(i) == '/') {
            return BINARY_PATH.matcher(text).region(i, n).lookingAt()
                    || GLOB_PATH.matcher(text).region(i, n).lookingAt();
        }
        if (text.startsWith("./", i)) {
            return true; // running a script from the working directory
        }
        StringBuilder word = new StringBuilder();
        int end = i;
        for (; end < n; end++) {
            char c = text.charAt(end);
            if (isWordChar(c)) {
                word.append(c);
            } else if (c != '\'' && c != '"' && c != '\\') {
                break;
            }
        }
        if (word.length() == 0) {
            return false;
        }
        String command = word.toString();
        if (STRONG_COMMANDS.contains(command)) {
            return end == n || text.charAt(end) != '-'; // rm-rf is a word, not rm
        }
        if (WEAK_COMMANDS.contains(command)) {
            return WEAK_ARGUMENTS.matcher(text).region(end, n).lookingAt()
                    || NUMERIC_COMMANDS.contains(command)
                    && NUMERIC_ARGUMENT.matcher(text).region(end, n).lookingAt();
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }
}
