package dev.bullpen.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder that can be switched off and on, to take "the broker" away from the
 * application under test without stopping the real, shared broker. Stopping closes the listening
 * socket and every forwarded connection, so clients see both a dropped connection and refused
 * reconnects; starting listens again on the same port.
 *
 * <pre>{@code
 * TcpProxy redis = new TcpProxy("127.0.0.1", 6379).start();   // point the app at 127.0.0.1:redis.port()
 * redis.stop();                                               // Redis is "down"
 * redis.start();                                              // and back
 * }</pre>
 *
 * <p>{@link #freeze()} instead keeps every connection open and holds what either side sends: a
 * broker that has gone silent mid-conversation (no close, no error), until {@link #thaw()}.
 */
public final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private int port;
    private ServerSocket server;
    private volatile boolean frozen;

    /** A proxy to {@code targetHost:targetPort}; not listening until {@link #start()}. */
    public TcpProxy(String targetHost, int targetPort) {
        this.target = new InetSocketAddress(targetHost, targetPort);
    }

    /** Listens (on an ephemeral loopback port the first time, on the same port after) and forwards. */
    public synchronized TcpProxy start() {
        if (server != null) {
            return this;
        }
        try {
            ServerSocket listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            port = listening.getLocalPort();
            server = listening;
            Thread.ofPlatform().daemon().name("tcp-proxy-" + port).start(() -> accept(listening));
            return this;
        } catch (IOException ex) {
            throw new IllegalStateException("proxy could not listen on port " + port, ex);
        }
    }

    /** Stops listening and cuts every connection. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        closeQuietly(server);
        server = null;
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    /** Holds every byte from now on, in both directions, with the connections left open. */
    public void freeze() {
        frozen = true;
    }

    /** Forwards again, the bytes held first. */
    public void thaw() {
        frozen = false;
    }

    /** The loopback port it listens on; the same after a restart. */
    public int port() {
        if (port == 0) {
            throw new IllegalStateException("proxy never started");
        }
        return port;
    }

    @Override
    public void close() {
        stop();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException closed) {
                return;
            }
            Socket upstream = new Socket();
            sockets.add(client);
            sockets.add(upstream);
            try {
                upstream.connect(target, 2000);
            } catch (IOException ex) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            Thread.ofVirtual().start(() -> pump(client, upstream));
            Thread.ofVirtual().start(() -> pump(upstream, client));
        }
    }

    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                while (frozen) {
                    Thread.sleep(10);
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (IOException ended) {
            // One side closed: the other goes too, below.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing anyway.
        }
    }
}
