package dev.slicefine.worker.jobs;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a webhook may go: the one SSRF rule, asked by the api when a job is created and by {@link Webhooks} before
 * every delivery (after resolving the host, so a public name that resolves to an internal address is refused too).
 * Refused: schemes other than http(s), user info, odd IP literals ({@code 0x7f000001}, {@code 2130706433},
 * {@code 0177.0.0.1}), non-default ports not in {@code allowedPorts}, and loopback, link-local, private, unique-local,
 * shared (CGNAT), multicast, unspecified, reserved and cloud-metadata addresses (also inside IPv4-compatible, NAT64
 * and 6to4 IPv6 addresses). {@code allowPrivate} (self-hosted setups with internal receivers) lifts the address and
 * port rules except for unspecified, multicast and metadata addresses.
 */
public final class WebhookPolicy {
    /** Resolves a host name; tests point it at fixed addresses, since DNS is not theirs to control. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Why a URL is refused; {@code detail} is safe to show to the tenant who sent the URL. */
    public record Refusal(Reason reason, String detail) {}

    public enum Reason { MALFORMED, SCHEME, USERINFO, PORT, ADDRESS, UNRESOLVED }

    private static final Pattern NUMERIC_HOST = Pattern.compile("(?i)[0-9a-fx.]+");
    private static final Pattern CANONICAL_IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Set<String> INTERNAL_SUFFIXES = Set.of("localhost", "local", "internal", "localdomain", "home.arpa");

    private final boolean allowPrivate;
    private final Set<Integer> allowedPorts;
    private final Resolver resolver;

    public WebhookPolicy(boolean allowPrivate, Set<Integer> allowedPorts, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.allowedPorts = Set.copyOf(allowedPorts);
        this.resolver = resolver;
    }

    /** The JVM's resolver. */
    public static WebhookPolicy of(boolean allowPrivate, Set<Integer> allowedPorts) {
        return new WebhookPolicy(allowPrivate, allowedPorts, InetAddress::getAllByName);
    }

    public boolean allowPrivate() {
        return allowPrivate;
    }

    /**
     * At job creation: the URL's form, and its addresses when the host resolves now (a name that does not resolve
     * yet is checked again at delivery).
     */
    public Optional<Refusal> checkAtCreation(String url) {
        return check(url, false);
    }

    /** Before each delivery: the URL's form and every address its host resolves to; unresolvable is refused. */
    public Optional<Refusal> checkAtDelivery(String url) {
        return Optional.ofNullable(deliveryTarget(url).refusal());
    }

    /**
     * Where a delivery goes: {@code refusal} when it may not, else the parsed URL and the addresses its host resolved
     * to in this check, every one allowed. The sender connects to one of these addresses (not to the name, which a
     * second lookup could answer differently: DNS rebinding) and sends the URL's host in the Host header and TLS SNI.
     */
    public record Target(Refusal refusal, URI uri, List<InetAddress> addresses) {}

    /** {@link #checkAtDelivery} with the addresses it checked, for the connection to use. */
    public Target deliveryTarget(String url) {
        List<List<InetAddress>> resolved = new java.util.ArrayList<>(1);
        Optional<Refusal> refusal = check(url, true, resolved);
        return refusal.isPresent() ? new Target(refusal.get(), null, List.of())
                : new Target(null, URI.create(url), resolved.get(0));
    }

    private Optional<Refusal> check(String url, boolean mustResolve) {
        return check(url, mustResolve, new java.util.ArrayList<>(1));
    }

    private Optional<Refusal> check(String url, boolean mustResolve, List<List<InetAddress>> resolved) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return refuse(Reason.MALFORMED, "must be an absolute http:// or https:// URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return refuse(Reason.SCHEME, "must be an absolute http:// or https:// URL");
        }
        if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            return refuse(Reason.USERINFO, "must not carry user info (user:password@); sign deliveries with the webhook secret instead");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return refuse(Reason.MALFORMED, "must be an absolute http:// or https:// URL with a host");
        }
        int port = uri.getPort();
        if (port != -1 && !allowPrivate && !allowedPorts.contains(port)
                && !(scheme.equals("http") && port == 80) && !(scheme.equals("https") && port == 443)) {
            return refuse(Reason.PORT, "port " + port + " is not allowed for webhooks (default ports only)");
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String lower = bare.toLowerCase(Locale.ROOT);
        boolean literal = host.startsWith("[") || CANONICAL_IPV4.matcher(bare).matches();
        if (!literal && NUMERIC_HOST.matcher(bare).matches() && !lower.matches(".*[g-wyz].*")
                && lastLabelLooksNumeric(lower)) {
            return refuse(Reason.ADDRESS, "host '" + bare + "' is not a canonical IP address");
        }
        if (!literal && !allowPrivate) {
            String name = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
            for (String suffix : INTERNAL_SUFFIXES) {
                if (name.equals(suffix) || name.endsWith("." + suffix)) {
                    return refuse(Reason.ADDRESS, "host '" + bare + "' is an internal name");
                }
            }
        }
        if (lower.equals("metadata.google.internal") || lower.equals("metadata")) {
            return refuse(Reason.ADDRESS, "host '" + bare + "' is a cloud metadata service");
        }
        List<InetAddress> addresses;
        try {
            addresses = List.of(literal ? new InetAddress[]{InetAddress.getByName(bare)} : resolver.resolve(bare));
        } catch (UnknownHostException | RuntimeException e) {
            return mustResolve ? refuse(Reason.UNRESOLVED, "host '" + bare + "' does not resolve") : Optional.empty();
        }
        if (mustResolve && addresses.isEmpty()) {
            return refuse(Reason.UNRESOLVED, "host '" + bare + "' does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = forbidden(a);
            if (why != null) {
                return refuse(Reason.ADDRESS, "host '" + bare + "' is " + why);
            }
        }
        resolved.add(addresses);
        return Optional.empty();
    }

    private static boolean lastLabelLooksNumeric(String host) {
        String[] labels = host.split("\\.");
        String last = labels.length == 0 ? host : labels[labels.length - 1];
        return last.isEmpty() || last.chars().allMatch(Character::isDigit) || last.startsWith("0x");
    }

    /** Why this address may not receive webhooks, or null when it may. */
    String forbidden(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            InetAddress embedded = embeddedIpv4(b);
            if (embedded != null) {
                return forbidden(embedded);
            }
            if (a.isAnyLocalAddress()) return "an unspecified address";
            if (a.isMulticastAddress()) return "a multicast address";
            if (b[0] == (byte) 0xfd && b[1] == 0x00 && b[2] == 0x0e && b[3] == (byte) 0xc2
                    && v6.getHostAddress().endsWith(":254")) return "a cloud metadata address";
            if (allowPrivate) return null;
            if (a.isLoopbackAddress()) return "a loopback address";
            if (a.isLinkLocalAddress() || a.isSiteLocalAddress()) return "a link-local or site-local address";
            if ((b[0] & 0xfe) == 0xfc) return "a unique-local (private) address";
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == (byte) 0xb8) return "a documentation address";
            if ((b[0] & 0xe0) != 0x20) return "not a global unicast address";
            return null;
        }
        byte[] b = a.getAddress();
        int o0 = b[0] & 0xff, o1 = b[1] & 0xff;
        if (o0 == 0) return "an unspecified address";
        if (a.isMulticastAddress()) return "a multicast address";
        if (o0 >= 240) return "a reserved or broadcast address";
        if (o0 == 169 && o1 == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) return "a cloud metadata address";
        if (o0 == 100 && o1 == 100 && (b[2] & 0xff) == 100 && (b[3] & 0xff) == 200) return "a cloud metadata address";
        if (allowPrivate) return null;
        if (a.isLoopbackAddress()) return "a loopback address";
        if (a.isLinkLocalAddress()) return "a link-local address";
        if (a.isSiteLocalAddress()) return "a private address";
        if (o0 == 100 && (o1 & 0xc0) == 64) return "a shared (carrier-grade NAT) address";
        if (o0 == 192 && o1 == 0 && (b[2] & 0xff) == 0) return "a reserved address";
        if (o0 == 198 && (o1 & 0xfe) == 18) return "a benchmarking address";
        return null;
    }

    /** The IPv4 address inside an IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address. */
    private static InetAddress embeddedIpv4(byte[] b) {
        try {
            boolean zero12 = true;
            for (int i = 0; i < 12; i++) {
                zero12 &= b[i] == 0;
            }
            if (zero12 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1))) {
                return Inet4Address.getByAddress(new byte[]{b[12], b[13], b[14], b[15]});
            }
            boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
            for (int i = 4; i < 12 && nat64; i++) {
                nat64 = b[i] == 0;
            }
            if (nat64) {
                return Inet4Address.getByAddress(new byte[]{b[12], b[13], b[14], b[15]});
            }
            if (b[0] == 0x20 && b[1] == 0x02) {
                return Inet4Address.getByAddress(new byte[]{b[2], b[3], b[4], b[5]});
            }
            return null;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<Refusal> refuse(Reason reason, String detail) {
        return Optional.of(new Refusal(reason, detail));
    }
}
