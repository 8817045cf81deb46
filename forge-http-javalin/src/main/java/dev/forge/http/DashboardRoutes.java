package dev.forge.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code /dashboard}: a static page (HTML, one script, one style sheet, bundled under
 * {@code forge-dashboard/}) that talks to the API with the token the user pastes in. Only the
 * listed files are served; the page's policy ({@link SecurityHeaders#DASHBOARD_CSP}) allows
 * its own script, style sheet and API calls and nothing inline. The page needs no
 * authentication: it holds no data until the user signs in, and every API call it makes is
 * checked as usual.
 */
final class DashboardRoutes {

    static final String PATH = "/dashboard";
    static final String ASSET_PATH = PATH + "/{asset}";
    private static final String RESOURCES = "/forge-dashboard/";

    private static final Map<String, String> ASSETS = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "icon.svg", "image/svg+xml");

    private final String index;
    private final Map<String, byte[]> assets;

    DashboardRoutes() {
        this.index = new String(read("index.html"), StandardCharsets.UTF_8);
        this.assets = Map.of("app.js", read("app.js"), "app.css", read("app.css"), "icon.svg", read("icon.svg"));
    }

    /** The page; links are made absolute with the context path, since it is served with and without a slash. */
    void page(Context ctx) {
        String base = Responses.contextBase(ctx);
        ctx.header("Content-Security-Policy", SecurityHeaders.DASHBOARD_CSP);
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType("text/html; charset=utf-8").result(index.replace("{{base}}", DocsRoutes.esc(base)));
    }

    void asset(Context ctx) {
        String name = ctx.pathParam("asset");
        byte[] body = assets.get(name);
        if (body == null) {
            throw new ProblemException(Problem.notFound("No such dashboard file."));
        }
        ctx.header("Content-Security-Policy", SecurityHeaders.DASHBOARD_CSP);
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(ASSETS.get(name)).result(body);
    }

    private static byte[] read(String name) {
        try (InputStream in = DashboardRoutes.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("missing dashboard resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard resource " + name, e);
        }
    }
}
