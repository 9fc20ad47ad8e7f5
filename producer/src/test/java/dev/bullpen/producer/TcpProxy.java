package dev.bullpen.producer;

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
 */
public final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private int port;
    private ServerSocket server;

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
            in.transferTo(out);
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
