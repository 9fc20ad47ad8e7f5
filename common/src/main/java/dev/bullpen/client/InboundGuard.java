package dev.bullpen.client;

import com.rabbitmq.client.ConnectionFactory;
import dev.bullpen.client.internal.GuardedSocketFactory;
import java.util.Map;
import javax.net.SocketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one hostile message from breaking a RabbitMQ Java client connection, and with it every
 * consumer on it. Without it, a message whose header table holds a value the client cannot parse
 * (py-amqp, Python Celery's transport, writes integers past 32 bits with a type tag the Java client
 * does not know: {@code headers={"tenant_id": 5000000000}}), or whose body is over the client's
 * inbound limit, throws in the client's frame reader: the connection closes, recovery reconnects,
 * the broker delivers the same message again, and no consumer on that queue ever gets past it.
 *
 * <p>Installed, it reads the broker's frames before the client does:
 * <ul>
 * <li>Python's 64-bit integers read as {@code Long}s, so such a task runs;</li>
 * <li>a header table with any other value the client cannot read arrives with its readable entries
 *     and {@link #UNREADABLE_HEADERS} saying why; the message is otherwise intact;</li>
 * <li>a body over the limit arrives empty, with {@link #DROPPED_BODY_BYTES} giving its size; it is
 *     never held in memory.</li>
 * </ul>
 * A consumer that finds either header dead-letters the message with that reason (Bullpen's worker
 * does). Spring applications get it on {@code bullpenAmqpConnectionFactory} from Bullpen's
 * auto-configuration; others call {@link #install} on their factory before connecting.
 *
 * <p>It works below the client, on the socket's bytes, so it covers the client's default blocking
 * I/O over plain TCP. Over TLS ({@code useSslProtocol}) {@link #install} leaves the factory as it is
 * and says so in the log; the NIO and Netty transports do not use the socket factory at all.
 */
public final class InboundGuard {

    /** Header a guarded connection adds when a message's headers held a value the client cannot read: why. */
    public static final String UNREADABLE_HEADERS = GuardedSocketFactory.UNREADABLE_HEADERS;
    /** Header a guarded connection adds when it dropped a message's body for its size: the body's size in bytes. */
    public static final String DROPPED_BODY_BYTES = GuardedSocketFactory.DROPPED_BODY_BYTES;

    /** The RabbitMQ client's default inbound message limit, 64 MiB: the limit Bullpen's auto-configuration keeps. */
    public static final int CLIENT_DEFAULT_LIMIT = 64 * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(InboundGuard.class);

    private InboundGuard() {
    }

    /**
     * Guards every connection {@code factory} opens from now on (and its clones), handing the client
     * bodies up to {@code maxBodyBytes}. The client's own inbound limit is set above it, so that the
     * guard, which cannot break the connection, is the one that enforces it.
     *
     * @return whether the guard is installed: false over TLS
     */
    public static boolean install(ConnectionFactory factory, long maxBodyBytes) {
        SocketFactory current = factory.getSocketFactory();
        if (factory.isSSL() || !(current == null || current instanceof GuardedSocketFactory
                || current.getClass() == SocketFactory.getDefault().getClass())) {
            log.warn("Inbound guard not installed on the AMQP connection factory (TLS or a socket factory of its own): "
                    + "a message with a header the client cannot read would close the connection");
            return false;
        }
        factory.setSocketFactory(new GuardedSocketFactory(maxBodyBytes));
        // The client's own limit then never trips (it would close the connection): the guard keeps every
        // body within maxBodyBytes, and frames (at most frame_max) stay under the client's default.
        factory.setMaxInboundMessageBodySize((int) Math.clamp(maxBodyBytes + 1, CLIENT_DEFAULT_LIMIT, Integer.MAX_VALUE));
        return true;
    }

    /** The largest body a guarded {@code factory} hands to the client, or {@code -1} when it is not guarded. */
    public static long maxBodyBytes(ConnectionFactory factory) {
        return factory.getSocketFactory() instanceof GuardedSocketFactory guarded ? guarded.maxBody() : -1;
    }

    /**
     * Why a guarded connection changed this message, or {@code null} when it did not: the reason to
     * dead-letter it with.
     *
     * @param headers the message's headers, as the client read them
     * @param limitName the setting that sets the body limit, named in the reason
     */
    public static @Nullable String problem(@Nullable Map<String, ?> headers, String limitName) {
        if (headers == null) {
            return null;
        }
        Object unreadable = headers.get(UNREADABLE_HEADERS);
        if (unreadable != null) {
            return "unreadable AMQP headers: " + unreadable;
        }
        if (headers.get(DROPPED_BODY_BYTES) instanceof Number size) {
            return "message body of " + size + " bytes is over " + limitName + "; the body was not kept";
        }
        return null;
    }
}
