package dev.forge.postgres;

import dev.forge.Internal;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;
import javax.net.SocketFactory;

/**
 * The sockets of forge's LISTEN connection (pgjdbc's {@code socketFactory}): plain sockets, but a
 * read under a one-millisecond timeout returns at once when no byte is pending.
 *
 * <p>Why: pgjdbc's {@code getNotifications(timeout)} returns only after it has looked for more
 * messages, and it looks by reading under a one-millisecond socket timeout (its
 * {@code PGStream.hasMessagePending}, 42.7.x). With nothing more to read - the usual case - every
 * wake-up of a waiting worker and every task event reached its listener about a millisecond
 * late: a notification took 1.5-1.9 ms from the NOTIFY to the listener thread here, 0.6 ms with
 * these sockets. One millisecond is that probe's own timeout and no other forge read uses it, so
 * a read under it is told by the timeout alone. Any other read is the socket's own.
 *
 * <p>pgjdbc makes the factory by its class name, so the class is public; it is not API.
 */
@Internal
public final class NotifySocketFactory extends SocketFactory {

    /** The socket timeout pgjdbc's pending-message probe sets, in milliseconds. */
    static final int PROBE_TIMEOUT_MILLIS = 1;

    /** For pgjdbc, which makes the factory by its class name. */
    public NotifySocketFactory() {
    }

    @Override
    public Socket createSocket() {
        return new ProbeAwareSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localAddress, localPort));
    }

    /** A socket connected to {@code remote}, bound first to {@code local} unless that is null. */
    private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket socket = new ProbeAwareSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A socket whose reads under the probe's timeout do not wait (see the class comment). */
    private static final class ProbeAwareSocket extends Socket {
        private volatile boolean probing;

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            super.setSoTimeout(timeout);
            probing = timeout == PROBE_TIMEOUT_MILLIS;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new ProbeAwareStream(super.getInputStream(), () -> probing);
        }
    }

    /**
     * Reads {@code in}; while {@code probing}, a read with no byte available throws
     * {@link SocketTimeoutException} instead of waiting - what the probe's read would have thrown
     * a millisecond later.
     */
    static final class ProbeAwareStream extends FilterInputStream {
        private final BooleanSupplier probing;

        ProbeAwareStream(InputStream in, BooleanSupplier probing) {
            super(in);
            this.probing = probing;
        }

        @Override
        public int read() throws IOException {
            nothingPendingWhileProbing();
            return super.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            nothingPendingWhileProbing();
            return super.read(buffer, offset, length);
        }

        private void nothingPendingWhileProbing() throws IOException {
            if (probing.getAsBoolean() && in.available() == 0) {
                throw new SocketTimeoutException("no message pending");
            }
        }
    }
}
