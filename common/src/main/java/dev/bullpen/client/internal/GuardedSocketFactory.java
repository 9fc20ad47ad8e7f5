package dev.bullpen.client.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Plain TCP sockets whose input is read through a {@link FrameGuardStream}: what the RabbitMQ Java
 * client receives can no longer break its connection, whatever a publisher put in a message.
 *
 * <p>Why at the socket: the client reads every frame on one thread per connection, and a header
 * table it cannot parse, or a body over its inbound limit, throws there and closes the connection,
 * with every channel and consumer on it; recovery then reconnects and the broker delivers the same
 * message again, forever. The client offers no hook between the wire and that parser but the socket
 * factory ({@code ConnectionFactory.setSocketFactory}, public API), and the wire format under it is
 * AMQP 0-9-1, which does not change: so this survives upgrades of the client, and keeps working
 * (doing nothing) once the client reads these values itself.
 */
public final class GuardedSocketFactory extends SocketFactory {

    /**
     * Header added to a message whose headers table held a value the client cannot read: why. The
     * entries before that value are kept; it and those after it are not.
     */
    public static final String UNREADABLE_HEADERS = "x-bullpen-unreadable-headers";
    /** Header added to a message whose body was over the limit and was dropped: its size in bytes. */
    public static final String DROPPED_BODY_BYTES = "x-bullpen-dropped-body-bytes";

    private final long maxBody;

    /** @param maxBody the largest message body handed to the client; larger ones arrive empty */
    public GuardedSocketFactory(long maxBody) {
        if (maxBody < 0) {
            throw new IllegalArgumentException("maxBody must not be negative, got " + maxBody);
        }
        this.maxBody = maxBody;
    }

    /** The largest body handed to the client. */
    public long maxBody() {
        return maxBody;
    }

    @Override
    public Socket createSocket() {
        return new GuardedSocket(maxBody);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, @Nullable InetSocketAddress local) throws IOException {
        Socket socket = new GuardedSocket(maxBody);
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException ex) {
            socket.close();
            throw ex;
        }
    }

    /** A plain socket but for its input. */
    private static final class GuardedSocket extends Socket {

        private final long maxBody;
        private @Nullable InputStream input;

        GuardedSocket(long maxBody) {
            this.maxBody = maxBody;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            InputStream guarded = input;
            if (guarded == null) {
                guarded = new FrameGuardStream(super.getInputStream(), maxBody);
                input = guarded;
            }
            return guarded;
        }
    }
}
