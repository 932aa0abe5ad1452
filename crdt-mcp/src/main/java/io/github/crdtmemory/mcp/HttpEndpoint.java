/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * The embedded Jetty 12 server of the HTTP mode: the MCP endpoint {@code /mcp} (the SDK's Streamable
 * HTTP servlet behind {@link HttpAccessFilter}) and {@code /health} (GET, no token, answers
 * {@code ok} and nothing else), on one connector, plain or TLS. Nothing else is served (404).
 */
final class HttpEndpoint {
    static final String MCP_PATH = "/mcp";
    static final long IDLE_MILLIS = 5 * 60 * 1000;

    private final Server server;
    private final ServerConnector connector;

    private HttpEndpoint(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts the server.
     *
     * @param host the address to bind
     * @param port the port (0: any free one)
     * @param keystore a PKCS#12 keystore for TLS, or null for plain HTTP
     * @param password the keystore's password, or null
     */
    static HttpEndpoint start(String host, int port, @Nullable Path keystore, char @Nullable [] password,
            HttpServletStreamableServerTransportProvider transport, HttpAccessFilter filter) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("memory-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        ServerConnector connector;
        if (keystore == null) {
            connector = new ServerConnector(server, new HttpConnectionFactory(config));
        } else {
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(keystore.toString());
            tls.setKeyStoreType("PKCS12");
            tls.setKeyStorePassword(new String(Objects.requireNonNull(password, "the keystore's password")));
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // the Host check is HttpAccessFilter's
            config.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                    new HttpConnectionFactory(config));
        }
        connector.setHost(host);
        connector.setPort(port);
        // a client's GET stream (server notifications) is quiet between writes: Jetty's 30 s default
        // would close it every half minute; idle connections hold no thread
        connector.setIdleTimeout(IDLE_MILLIS);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder mcp = new ServletHolder("mcp", transport);
        mcp.setAsyncSupported(true);
        context.addServlet(mcp, MCP_PATH);
        context.addServlet(new ServletHolder("health", new Health()), "/health");
        FilterHolder guard = new FilterHolder(filter);
        guard.setAsyncSupported(true);
        context.addFilter(guard, MCP_PATH, EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.setStopTimeout(5_000);
        server.setStopAtShutdown(false); // the HTTP mode's own shutdown hook stops it, in order
        server.start();
        return new HttpEndpoint(server, connector);
    }

    /** The port bound. */
    int port() {
        return connector.getLocalPort();
    }

    /** Stops accepting connections and closes the remaining ones. */
    void stop() throws Exception {
        server.stop();
    }

    /** {@code GET /health}: 200 {@code ok}, no data, no token. */
    private static final class Health extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=utf-8");
            response.getOutputStream().write("ok\n".getBytes(StandardCharsets.UTF_8));
        }
    }
}
