/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static io.github.crdtmemory.git.GitFixtures.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credential of an https remote never reaches a command line: git gets the URL without it and
 * the credential as an {@code Authorization} header through its environment, and a real HTTPS server
 * receives it.
 */
final class GitCredentialsTest {
    @TempDir
    Path temp;

    /**
     * While git talks to a server that accepts and never answers (so {@code git-remote-https} stays up
     * until the timeout kills it), every process's command line is scanned: the token is on none.
     */
    @Test
    void theTokenIsOnNoCommandLineWhileGitTalksToTheRemote() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // and never answer
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String hostPort = "127.0.0.1:" + silent.getLocalPort();
            GitStore store = GitStore.open(GitStoreOptions.of("https://backup-user:" + SECRET + "@" + hostPort
                    + "/memory.git", temp.resolve("cache")).withNetworkTimeout(Duration.ofSeconds(3)));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    store.read();
                } catch (RuntimeException e) {
                    failure.set(e);
                }
            });
            reader.start();
            Set<String> talking = ConcurrentHashMap.newKeySet();
            List<String> leaks = new ArrayList<>();
            while (reader.isAlive()) {
                for (String cmdline : commandLines()) {
                    if (cmdline.contains(hostPort)) {
                        talking.add(cmdline);
                    }
                    if (cmdline.contains(SECRET)) {
                        leaks.add(cmdline);
                    }
                }
                reader.join(10);
            }
            held.forEach(GitCredentialsTest::closeQuietly);
            assertThat(talking).as("git's remote helper was seen talking to the server")
                    .anyMatch(c -> c.contains("remote-https"));
            assertThat(leaks).as("command lines holding the token").isEmpty();
            assertThat(failure.get()).isInstanceOf(GitOperationError.class);
            assertThat(((GitOperationError) failure.get()).kind()).isEqualTo(GitOperationError.Kind.TIMEOUT);
            assertThat(failure.get().getMessage()).doesNotContain(SECRET);
        }
    }

    /** A real HTTPS server (self-signed, trusted through GIT_SSL_CAINFO) receives user and token as Basic. */
    @Test
    void theCredentialReachesTheServerAsABasicAuthorization() throws Exception {
        Tls tls = tls();
        List<String> authorizations = new CopyOnWriteArrayList<>();
        List<String> paths = new CopyOnWriteArrayList<>();
        HttpsServer server = server(tls, exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "(none)" : auth);
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        try {
            String password = "p@ss w'rd:" + SECRET;
            String url = "https://backup%20user:" + password.replace("%", "%25").replace("@", "%40")
                    .replace(" ", "%20") + "@127.0.0.1:" + server.getAddress().getPort() + "/memory.git";
            GitProcess.Result r = lsRemote(url, tls);

            assertThat(r.exitCode()).as(r.stderr()).isNotZero();
            assertThat(paths).as(r.stderr()).contains("/memory.git/info/refs");
            String expected = "Basic " + Base64.getEncoder().encodeToString(("backup user:" + password)
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(authorizations).as(r.stderr()).isNotEmpty().allMatch(expected::equals);
            assertThat(r.stderr()).doesNotContain(SECRET);
        } finally {
            server.stop(0);
        }
    }

    /**
     * The header is configured for every request git makes, and git sends the requests after a
     * redirect of its first one to the new location (libcurl only drops the header on the redirect it
     * follows itself). The target of the remote's redirect answers like a real protocol-v2 server, so
     * git would go on to POST {@code ls-refs} there: with a credential, git follows no redirect, and the
     * target never sees the token.
     */
    @Test
    void theCredentialIsNotCarriedThroughARedirect() throws Exception {
        Tls tls = tls();
        List<String> elsewhere = new CopyOnWriteArrayList<>();
        HttpsServer other = server(tls, exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            elsewhere.add(exchange.getRequestMethod() + " " + (auth == null ? "(none)" : auth));
            exchange.getRequestBody().readAllBytes();
            byte[] advertisement = "000eversion 2\n000cls-refs\n0000".getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().add("Content-Type", exchange.getRequestMethod().equals("GET")
                    ? "application/x-git-upload-pack-advertisement" : "application/x-git-upload-pack-result");
            byte[] body = exchange.getRequestMethod().equals("GET") ? advertisement
                    : "0000".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        HttpsServer remote = server(tls, exchange -> {
            exchange.getResponseHeaders().add("Location", "https://127.0.0.1:" + other.getAddress().getPort()
                    + exchange.getRequestURI());
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        try {
            String url = "https://backup-user:" + SECRET + "@127.0.0.1:" + remote.getAddress().getPort()
                    + "/memory.git";
            GitProcess.Result r = lsRemote(url, tls);

            assertThat(elsewhere).as("requests the redirect target received, with their Authorization")
                    .noneMatch(request -> request.contains("Basic"));
            assertThat(r.exitCode()).as(r.stderr()).isNotZero();
            assertThat(r.stderr()).doesNotContain(SECRET);
        } finally {
            remote.stop(0);
            other.stop(0);
        }
    }

    /** A self-signed certificate for 127.0.0.1: the server's key store and the PEM git trusts. */
    private record Tls(SSLContext context, Path ca) {
    }

    private Tls tls() throws Exception {
        Path keystore = temp.resolve("server.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        Path ca = temp.resolve("server.pem");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", ca.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return new Tls(context, ca);
    }

    private static HttpsServer server(Tls tls, HttpHandler handler) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.context()));
        server.createContext("/", handler);
        server.start();
        return server;
    }

    private GitProcess.Result lsRemote(String url, Tls tls) {
        Map<String, String> env = new HashMap<>(GitEnvironment.build(System.getenv(), url,
                GitEnvironment.DEFAULT_SSH_COMMAND));
        env.put("GIT_SSL_CAINFO", tls.ca().toString());
        GitProcess git = new GitProcess("git", env, "test");
        return git.run(temp, Duration.ofSeconds(20), null, Map.of(), null, List.of("ls-remote", "origin"));
    }

    @Test
    void sshUrlsMayNameAUserButCarryNoPassword() {
        assertThatThrownBy(() -> GitStoreOptions.of("ssh://git:" + SECRET + "@host/memory.git", temp))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        assertThatThrownBy(() -> GitStoreOptions.of("file://me:" + SECRET + "@/srv/memory.git", temp))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        assertThat(GitStoreOptions.of("ssh://git@host/memory.git", temp).remote()).isEqualTo("ssh://git@host/memory.git");
        assertThat(RemoteUrl.parse("ssh://git@host/memory.git").location()).isEqualTo("ssh://git@host/memory.git");
        assertThat(RemoteUrl.parse("ssh://git@host/memory.git").authorization()).isEmpty();
        assertThat(RemoteUrl.parse("https://host/a@b/memory.git").location()).isEqualTo("https://host/a@b/memory.git");
        assertThat(RemoteUrl.parse("https://" + SECRET + "@host/m.git").location()).isEqualTo("https://host/m.git");
        assertThat(RemoteUrl.parse("https://" + SECRET + "@host/m.git").authorization()).contains("Basic "
                + Base64.getEncoder().encodeToString((SECRET + ":").getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> commandLines() {
        List<String> out = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                if (d.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    try {
                        out.add(new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8)
                                .replace('\0', ' '));
                    } catch (IOException gone) {
                        // the process ended while we looked
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
