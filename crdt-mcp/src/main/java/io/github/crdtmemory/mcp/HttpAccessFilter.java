/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Guards the MCP endpoint before the SDK's transport sees a request. In this order: while the server
 * stops, 503; a {@code Host} or {@code Origin} header naming another host than the allowed ones (DNS
 * rebinding, as the MCP specification asks), 403; no or a wrong {@code Authorization: Bearer} token,
 * 401; for a POST, a body over the limit, 413, a content type other than {@code application/json},
 * 415, a body that is not one JSON-RPC 2.0 message, 400 with a JSON-RPC error ({@code -32700} parse
 * error, {@code -32600} invalid request). A refused request reaches no handler, so it changes nothing.
 * Counts the requests in flight, for a graceful stop.
 */
final class HttpAccessFilter implements Filter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BearerToken token;
    private final Set<String> allowedHosts;
    private final int maxBody;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closing;

    /**
     * @param token the bearer token
     * @param allowedHosts host names (lower case) a {@code Host} or {@code Origin} header may name
     * @param maxBody the largest request body, in bytes
     */
    HttpAccessFilter(BearerToken token, Set<String> allowedHosts, int maxBody) {
        this.token = token;
        this.allowedHosts = Set.copyOf(allowedHosts);
        this.maxBody = maxBody;
    }

    /** From now on every request gets 503. */
    void close() {
        closing = true;
    }

    /** The requests that passed the checks and have not completed. */
    int inFlight() {
        return inFlight.get();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (closing) {
            plain(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the server is stopping");
            return;
        }
        if (!hostAllowed(request.getHeader("Host"), false) || !hostAllowed(request.getHeader("Origin"), true)) {
            plain(response, HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
            return;
        }
        if (!token.matches(request.getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Bearer");
            plain(response, HttpServletResponse.SC_UNAUTHORIZED, "a valid bearer token is required");
            return;
        }
        inFlight.incrementAndGet();
        try {
            if ("POST".equals(request.getMethod())) {
                byte[] body = checkedBody(request, response);
                if (body != null) {
                    chain.doFilter(new CachedBody(request, body), response);
                }
            } else {
                chain.doFilter(request, response);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** The body if it is one JSON-RPC message within the limits, else null with the response sent. */
    private byte @Nullable [] checkedBody(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getContentLengthLong() > maxBody) {
            plain(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "the body is over " + maxBody + " bytes");
            return null;
        }
        String type = request.getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).split(";", 2)[0].trim().equals("application/json")) {
            plain(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "the content type must be application/json");
            return null;
        }
        byte[] body = read(request.getInputStream());
        if (body == null) {
            plain(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "the body is over " + maxBody + " bytes");
            return null;
        }
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            rpcError(response, null, -32700, "Parse error");
            return null;
        }
        if (message == null || !message.isObject() || !"2.0".equals(message.path("jsonrpc").asText(null))
                || !(message.path("method").isTextual() || message.has("result") || message.has("error"))) {
            rpcError(response, message != null && message.isObject() ? message.get("id") : null, -32600,
                    "Invalid Request");
            return null;
        }
        return body;
    }

    /** The whole body, or null if it is over the limit. */
    private byte @Nullable [] read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0;) {
            out.write(buf, 0, n);
            if (out.size() > maxBody) {
                return null;
            }
        }
        return out.toByteArray();
    }

    /** Whether a {@code Host} ({@code host[:port]}) or {@code Origin} (a URL) header names an allowed host. */
    private boolean hostAllowed(String header, boolean origin) {
        if (header == null) {
            return origin; // no Origin: not a browser; no Host: refused (HTTP/1.1 always sends one)
        }
        String host;
        try {
            host = URI.create(origin ? header.trim() : "http://" + header.trim()).getHost();
        } catch (IllegalArgumentException e) {
            return false;
        }
        return host != null && allowedHosts.contains(host.toLowerCase(Locale.ROOT));
    }

    private static void plain(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.getOutputStream().write((message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void rpcError(HttpServletResponse response, @Nullable JsonNode id, int code, String message)
            throws IOException {
        var error = JSON.createObjectNode().put("jsonrpc", "2.0");
        error.set("id", id == null || !(id.isTextual() || id.isNumber()) ? JSON.nullNode() : id);
        error.putObject("error").put("code", code).put("message", message);
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("application/json");
        response.getOutputStream().write(JSON.writeValueAsBytes(error));
    }

    /** The request with its body already read. */
    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body is already read");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
