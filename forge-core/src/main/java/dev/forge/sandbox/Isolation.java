package dev.forge.sandbox;

/** Which kind of isolation a {@link Sandbox} gives a build. */
public enum Isolation {
    /**
     * bubblewrap: new user, pid, net, ipc, uts and mount namespaces; a read-only view of the
     * system folders only; the workspace and a private /tmp writable; an unprivileged user.
     */
    BUBBLEWRAP("bubblewrap"),
    /**
     * util-linux {@code unshare}: new user, pid, net, ipc and uts namespaces and its own /proc,
     * but the host's file system as it is (only file permissions protect it, /tmp is shared).
     */
    UNSHARE("unshare"),
    /** None: steps run as forge's own user, seeing what forge sees. */
    NONE("none");

    private final String label;

    Isolation(String label) {
        this.label = label;
    }

    /** The lower-case name shown in banners, logs and health answers. */
    public String label() {
        return label;
    }
}
