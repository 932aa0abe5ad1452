/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bind rules as real processes: a non-loopback address refused without TLS, a taken port, TLS served. */
class HttpTlsIT {
    @TempDir
    Path tmp;

    @Test
    void aNonLoopbackAddressWithoutAllowRemoteAndTlsOrATakenPortIsRefusedInOneLine() throws Exception {
        Object[] plain = HttpServerProcess.refused(Files.createDirectories(tmp.resolve("a")), "--host", "0.0.0.0");
        assertThat(plain[0]).isEqualTo(HttpMode.USAGE);
        assertThat((String) plain[1]).contains("refusing to bind 0.0.0.0").doesNotContain("serving");
        Object[] noTls = HttpServerProcess.refused(Files.createDirectories(tmp.resolve("b")), "--host", "0.0.0.0",
                "--allow-remote");
        assertThat(noTls[0]).isEqualTo(HttpMode.USAGE);
        assertThat((String) noTls[1]).contains("needs TLS");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Object[] busy = HttpServerProcess.refused(Files.createDirectories(tmp.resolve("c")), "--port",
                    String.valueOf(taken.getLocalPort()));
            assertThat(busy[0]).as("%s", busy[1]).isEqualTo(HttpMode.USAGE);
            assertThat((String) busy[1]).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void withAKeystoreItServesHttpsAndStillWantsTheToken() throws Exception {
        String password = HexFormat.of().formatHex(SecureRandom.getSeed(12));
        Path keystore = tmp.resolve("server.p12");
        ProcessBuilder keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "memory", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass:env", "KS_PASSWORD").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("keytool.out").toFile());
        keytool.environment().put("KS_PASSWORD", password); // not on the command line
        Process k = keytool.start();
        assertThat(k.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(k.exitValue()).as(Files.readString(tmp.resolve("keytool.out"))).isZero();

        try (HttpServerProcess server = HttpServerProcess.start(Files.createDirectories(tmp.resolve("tls")),
                Map.of(HttpMode.PASSWORD_ENV, password), "--tls-keystore", keystore.toString())) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                trust.load(in, password.toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
            String base = "https://127.0.0.1:" + server.port();
            HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"tls\",\"version\":\"1\"}}}";
            HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(base + "/mcp")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(init));
            assertThat(https.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> ok = https.send(post.header("Authorization", "Bearer " + server.token()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("\"memory-server\"");
            assertThat(server.log()).doesNotContain(password).contains("serving https://");
        }
    }
}
