package dev.forge.http;

import dev.forge.analysis.AnalysisRequest;
import dev.forge.analysis.AnalysisService;
import dev.forge.analysis.sarif.Sarif;
import dev.forge.security.Principal;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Handlers of {@code /api/analysis}: thin translations between HTTP and {@link AnalysisService}. */
final class AnalysisRoutes {

    static final String BASE = "/api/analysis";
    static final String SARIF_TYPE = "application/sarif+json";

    private final AnalysisService analyses;
    private final EventStreams streams;
    private final HttpConfig config;

    AnalysisRoutes(AnalysisService analyses, EventStreams streams, HttpConfig config) {
        this.analyses = analyses;
        this.streams = streams;
        this.config = config;
    }

    void create(Context ctx) {
        AnalysisRequest request = RequestBodies.analysisRequest(
                RequestBodies.json(ctx, config.bodyLimitBytes()));
        if (request.projectName() != null) {
            RequestContext.project(ctx, request.projectName());
        }
        TaskRecord created = ErrorMapper.valueOrThrow(
                analyses.create(Authentication.principal(ctx), request));
        RequestContext.task(ctx, created.id().value());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("analysis_id", created.id().value());
        json.put("status", created.status().wireName());
        Responses.json(ctx.status(202).header("Location",
                Responses.contextBase(ctx) + BASE + "/" + created.id().value()), json);
    }

    /** The caller's analyses (everyone's for an admin with {@code ?all=true}), newest first, paged like the builds' history. */
    void history(Context ctx) {
        Integer limit = RequestBodies.intQuery(ctx, "limit");
        Integer offset = RequestBodies.intQuery(ctx, "offset");
        boolean everyone = RequestBodies.boolQuery(ctx, "all");
        Page<TaskRecord> page = ErrorMapper.valueOrThrow(
                analyses.history(Authentication.principal(ctx), limit, offset, everyone));
        Responses.json(ctx, Wire.page("analyses", page, Wire::analysis));
    }

    void logs(Context ctx) {
        TaskId id = analysisId(ctx);
        String log = ErrorMapper.valueOrThrow(analyses.logs(Authentication.principal(ctx), id));
        ctx.contentType("text/plain; charset=utf-8").result(log);
    }

    void events(Context ctx) {
        TaskId id = analysisId(ctx);
        Principal caller = Authentication.principal(ctx);
        streams.stream(ctx, id, () -> analyses.status(caller, id), Wire::analysis);
    }

    void result(Context ctx) {
        TaskId id = analysisId(ctx);
        Responses.json(ctx, Wire.analysis(ErrorMapper.valueOrThrow(
                analyses.status(Authentication.principal(ctx), id))));
    }

    /** The completed analysis's findings as a SARIF 2.1.0 log, for code-scanning tools. */
    void sarif(Context ctx) {
        TaskId id = analysisId(ctx);
        TaskRecord task = ErrorMapper.valueOrThrow(analyses.status(Authentication.principal(ctx), id));
        if (task.status() != TaskStatus.COMPLETED) {
            throw new ProblemException(Problem.conflict("The analysis is " + task.status().wireName()
                    + "; its SARIF log exists once it has completed."));
        }
        ctx.contentType(SARIF_TYPE).result(Json.write(Sarif.export(task)));
    }

    void cancel(Context ctx) {
        TaskId id = analysisId(ctx);
        TaskRecord cancelled = ErrorMapper.valueOrThrow(analyses.cancel(Authentication.principal(ctx), id));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("analysis_id", cancelled.id().value());
        json.put("status", cancelled.status().wireName());
        json.put("message", "Analysis cancelled.");
        Responses.json(ctx, json);
    }

    private static TaskId analysisId(Context ctx) {
        TaskId id = TaskId.parseOrNull(ctx.pathParam("analysis_id"));
        if (id == null) {
            throw new ProblemException(Problem.notFound("No analysis with that id is visible to you."));
        }
        RequestContext.task(ctx, id.value());
        return id;
    }
}
