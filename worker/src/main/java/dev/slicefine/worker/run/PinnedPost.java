package dev.slicefine.worker.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 POST to an address chosen beforehand: the socket connects to {@code address} (the one the webhook
 * policy checked), while the request names the URL's host in the Host header, and for https in SNI and in the
 * certificate's hostname check. Java's HttpClient resolves the name again itself, which leaves a window for DNS
 * rebinding between the policy's check and the connection; this does not. Redirects are not followed (the status is
 * returned), no proxy is used, and only the status line of the answer is read.
 */
final class PinnedPost {
    private static final int MAX_STATUS_LINE = 8192;

    private PinnedPost() {}

    /** The response's status code; {@code timeout} bounds the connect and each read. */
    static int send(URI uri, InetAddress address, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        boolean https = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost(); // an IPv6 literal keeps its brackets, as the Host header wants
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Socket plain = new Socket(Proxy.NO_PROXY)) {
            plain.connect(new InetSocketAddress(address, port), millis);
            plain.setSoTimeout(millis);
            Socket socket = plain;
            if (https) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, bare, port, true);
                SSLParameters p = tls.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the URL's host
                boolean literal = host.startsWith("[") || bare.chars().allMatch(c -> Character.isDigit(c) || c == '.');
                if (!literal) { // SNI names a host; an IP literal is checked against the certificate's IP entries
                    p.setServerNames(List.of(new SNIHostName(bare)));
                }
                tls.setSSLParameters(p);
                tls.startHandshake();
                socket = tls;
            }
            String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                target += "?" + uri.getRawQuery();
            }
            StringBuilder head = new StringBuilder(256)
                    .append("POST ").append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(uri.getPort() != -1 ? ":" + uri.getPort() : "").append("\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n")
                    .append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return status(statusLine(socket.getInputStream()));
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the receiver closed the connection before answering");
            }
            if (line.size() >= MAX_STATUS_LINE) {
                throw new IOException("the receiver's status line is too long");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1).trim();
    }

    /** "HTTP/1.1 204 No Content" -> 204. */
    static int status(String line) throws IOException {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[1-5][0-9][0-9]")) {
            throw new IOException("not an HTTP/1.x status line");
        }
        return Integer.parseInt(parts[1]);
    }
}
