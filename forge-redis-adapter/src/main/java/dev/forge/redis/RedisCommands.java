package dev.forge.redis;

import dev.forge.InfrastructureException;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The one place where the adapters talk to the pooled client: every driver exception becomes an
 * {@link InfrastructureException} here (once, at the boundary, with a message that names no
 * driver class), and scripts are reloaded when Redis answers {@code NOSCRIPT}.
 */
final class RedisCommands {

    private final UnifiedJedis client;
    private final Keys keys;

    RedisCommands(UnifiedJedis client, Keys keys) {
        this.client = Objects.requireNonNull(client, "client");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    Keys keys() {
        return keys;
    }

    /** Runs {@code command} on a pooled connection, translating driver failures. */
    <T> T run(String what, Function<UnifiedJedis, T> command) {
        try {
            return command.apply(client);
        } catch (JedisException e) {
            throw translate(what, e);
        }
    }

    /**
     * Runs {@code script} by EVALSHA, loading it first when Redis does not know it (after a
     * restart without persistence, or SCRIPT FLUSH) - so forge recovers without a restart.
     */
    Object eval(LuaScript script, List<String> keyArgs, List<String> args) {
        try {
            try {
                return client.evalsha(script.sha(), keyArgs, args);
            } catch (JedisNoScriptException e) {
                client.scriptLoad(script.source());
                return client.evalsha(script.sha(), keyArgs, args);
            }
        } catch (JedisException e) {
            throw translate("script " + script.name(), e);
        }
    }

    static InfrastructureException translate(String what, JedisException e) {
        return new InfrastructureException("Redis failed during " + what + ": " + reason(e), e);
    }

    private static String reason(JedisException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            Throwable cause = e.getCause();
            message = cause != null && cause.getMessage() != null ? cause.getMessage() : "unavailable";
        }
        // one line, bounded: it may reach a log or an admin's health page
        message = message.replaceAll("\\s+", " ");
        return message.length() > 200 ? message.substring(0, 200) : message;
    }
}
