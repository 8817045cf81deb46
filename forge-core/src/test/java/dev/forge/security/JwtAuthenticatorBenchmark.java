package dev.forge.security;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * Warm-loop timing of {@link JwtAuthenticator#authenticate} on a valid HS256 token, with and
 * without the verified-token cache. Not a test (surefire does not pick up *Benchmark); run its
 * main with the test classpath. Numbers are rough: one thread, no JMH, a shared machine.
 */
public final class JwtAuthenticatorBenchmark {

    private JwtAuthenticatorBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        byte[] secret = "benchmark-secret-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        Clock clock = Clock.systemUTC();
        String token = DevTokens.hs256(secret, clock)
                .mint("u-1", "Ada", Set.of(Role.USER), Duration.ofHours(1));
        JwtAuthenticator cached = JwtAuthenticator.builder().hs256Secret(secret).clock(clock).build();
        JwtAuthenticator uncached = JwtAuthenticator.builder().hs256Secret(secret).clock(clock).cacheSize(0).build();
        char[] chars = token.toCharArray();
        System.out.println("token length " + token.length());
        for (int round = 0; round < rounds; round++) {
            report("uncached, same String", time(uncached, token, null, 200_000));
            report("cached, same String", time(cached, token, null, 1_000_000));
            // a request hands over a new String each time, whose hash is not yet computed
            report("cached, new String per call", time(cached, null, chars, 1_000_000));
            report("new String per call alone", timeCopy(chars, 1_000_000));
        }
    }

    private static double time(JwtAuthenticator auth, String token, char[] chars, int iterations) {
        run(auth, token, chars, iterations / 2);
        long start = System.nanoTime();
        long ok = run(auth, token, chars, iterations);
        long elapsed = System.nanoTime() - start;
        if (ok != iterations) {
            throw new IllegalStateException("only " + ok + " of " + iterations + " accepted");
        }
        return (double) elapsed / iterations;
    }

    private static long run(JwtAuthenticator auth, String token, char[] chars, int iterations) {
        long ok = 0;
        for (int i = 0; i < iterations; i++) {
            String t = token != null ? token : new String(chars);
            if (auth.authenticate(t) instanceof AuthResult.Authenticated) {
                ok++;
            }
        }
        return ok;
    }

    private static double timeCopy(char[] chars, int iterations) {
        long sink = 0;
        for (int i = 0; i < iterations / 2; i++) {
            sink += new String(chars).hashCode();
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            sink += new String(chars).hashCode();
        }
        long elapsed = System.nanoTime() - start;
        if (sink == 42) {
            System.out.println();
        }
        return (double) elapsed / iterations;
    }

    private static void report(String what, double nanosPerOp) {
        System.out.printf("%-32s %10.1f ns/op%n", what, nanosPerOp);
    }
}
