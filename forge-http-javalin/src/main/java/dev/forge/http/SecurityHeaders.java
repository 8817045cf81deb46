package dev.forge.http;

import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.eclipse.jetty.ee10.servlet.ServletApiResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.PreEncodedHttpField;

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

    /**
     * The same headers as Jetty fields, built and encoded once: set through the servlet API, each
     * header of each response was a new field, a header-name lookup and an encoding of its text.
     */
    private static final List<HttpField> FIELDS;

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
        FIELDS = headers.entrySet().stream()
                .map(header -> (HttpField) new PreEncodedHttpField(header.getKey(), header.getValue()))
                .toList();
    }

    private SecurityHeaders() {
    }

    /** Sets each header on {@code response}, replacing earlier values. */
    static void apply(HttpServletResponse response) {
        // Jetty's own response only, not a wrapper that may watch setHeader; and, as setHeader
        // does, nothing once the response is committed
        if (!(response instanceof ServletApiResponse) || response.isCommitted()) {
            apply(response::setHeader);
            return;
        }
        HttpFields.Mutable headers = ServletContextResponse.getServletContextResponse(response).getHeaders();
        for (HttpField field : FIELDS) {
            headers.put(field);
        }
    }

    /** Sets each header through {@code setter}, replacing earlier values. */
    static void apply(BiConsumer<String, String> setter) {
        HEADERS.forEach(setter);
    }
}
