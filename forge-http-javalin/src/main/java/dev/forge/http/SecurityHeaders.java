package dev.forge.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/** The seven security headers every response carries, errors and 404s included. */
final class SecurityHeaders {

    /** The API's policy: nothing may load, nothing may frame it. The docs page widens style-src. */
    static final String API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /**
     * The dashboard's policy: its own script, style sheet and API calls ({@code 'self'}, which
     * covers same-origin WebSockets too), nothing inline, nothing from elsewhere.
     */
    static final String DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    static final Map<String, String> HEADERS;

    static {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", API_CSP);
        headers.put("X-Frame-Options", "DENY");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        headers.put("Permissions-Policy",
                "accelerometer=(), camera=(), geolocation=(), gyroscope=(), microphone=(), payment=(), usb=()");
        headers.put("Cross-Origin-Resource-Policy", "same-origin");
        HEADERS = Map.copyOf(headers);
    }

    private SecurityHeaders() {
    }

    /** Sets each header through {@code setter}, replacing earlier values. */
    static void apply(BiConsumer<String, String> setter) {
        HEADERS.forEach(setter);
    }
}
