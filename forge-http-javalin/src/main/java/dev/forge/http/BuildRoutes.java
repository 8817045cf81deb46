package dev.forge.http;

import dev.forge.builds.BuildRequest;
import dev.forge.builds.BuildService;
import dev.forge.security.Principal;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Handlers of {@code /api/build}: thin translations between HTTP and {@link BuildService}. */
final class BuildRoutes {

    static final String BASE = "/api/build";

    private final BuildService builds;
    private final EventStreams streams;
    private final HttpConfig config;

    BuildRoutes(BuildService builds, EventStreams streams, HttpConfig config) {
        this.builds = builds;
        this.streams = streams;
        this.config = config;
    }

    void create(Context ctx) {
        Principal caller = Authentication.principal(ctx);
        BuildRequest request = RequestBodies.buildRequest(ctx, config.bodyLimitBytes());
        RequestContext.project(ctx, request.projectName());
        TaskRecord created = ErrorMapper.valueOrThrow(builds.create(caller, request));
        RequestContext.task(ctx, created.id().value());
        Responses.json(ctx.status(202).header("Location",
                Responses.contextBase(ctx) + BASE + "/" + created.id().value()), Wire.build(created));
    }

    void history(Context ctx) {
        Principal caller = Authentication.principal(ctx);
        Integer limit = RequestBodies.intQuery(ctx, "limit");
        Integer offset = RequestBodies.intQuery(ctx, "offset");
        boolean everyone = RequestBodies.boolQuery(ctx, "all");
        Page<TaskRecord> page = ErrorMapper.valueOrThrow(builds.history(caller, limit, offset, everyone));
        Responses.json(ctx, Wire.page("builds", page, Wire::build));
    }

    void status(Context ctx) {
        TaskId id = taskId(ctx);
        Responses.json(ctx, Wire.build(ErrorMapper.valueOrThrow(builds.status(Authentication.principal(ctx), id))));
    }

    void cancel(Context ctx) {
        TaskId id = taskId(ctx);
        TaskRecord cancelled = ErrorMapper.valueOrThrow(builds.cancel(Authentication.principal(ctx), id));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("task_id", cancelled.id().value());
        json.put("status", cancelled.status().wireName());
        json.put("message", "Build cancelled.");
        Responses.json(ctx, json);
    }

    void logs(Context ctx) {
        TaskId id = taskId(ctx);
        String log = ErrorMapper.valueOrThrow(builds.logs(Authentication.principal(ctx), id));
        ctx.contentType("text/plain; charset=utf-8").result(log);
    }

    void events(Context ctx) {
        TaskId id = taskId(ctx);
        Principal caller = Authentication.principal(ctx);
        streams.stream(ctx, id, () -> builds.status(caller, id), Wire::build);
    }

    /** The path's task id; ids that cannot exist are simply not found. */
    static TaskId taskId(Context ctx) {
        TaskId id = TaskId.parseOrNull(ctx.pathParam("task_id"));
        if (id == null) {
            throw new ProblemException(Problem.notFound("No task with that id is visible to you."));
        }
        RequestContext.task(ctx, id.value());
        return id;
    }
}
