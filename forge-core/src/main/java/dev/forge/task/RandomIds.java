package dev.forge.task;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** One thread's buffer of random bytes, cut 16 at a time into ids. */
final class RandomIds {
    private static final int ID_BYTES = 16;
    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);

    private final SecureRandom random;
    private final byte[] buffer = new byte[256 * ID_BYTES];
    private int used = buffer.length;

    RandomIds(SecureRandom random) {
        this.random = random;
    }

    TaskId next() {
        if (used == buffer.length) {
            random.nextBytes(buffer);
            used = 0;
        }
        String value = encode(buffer, used);
        used += ID_BYTES;
        return new TaskId(value);
    }

    /** URL-safe base64 of 16 bytes, without padding, as {@code Base64.getUrlEncoder()} writes it. */
    static String encode(byte[] bytes, int from) {
        byte[] out = new byte[22];
        int o = 0;
        int i = from;
        for (int end = from + 15; i < end; i += 3) {
            int bits = (bytes[i] & 0xFF) << 16 | (bytes[i + 1] & 0xFF) << 8 | (bytes[i + 2] & 0xFF);
            out[o++] = ALPHABET[bits >>> 18];
            out[o++] = ALPHABET[(bits >>> 12) & 0x3F];
            out[o++] = ALPHABET[(bits >>> 6) & 0x3F];
            out[o++] = ALPHABET[bits & 0x3F];
        }
        int last = bytes[i] & 0xFF;
        out[o++] = ALPHABET[last >>> 2];
        out[o] = ALPHABET[(last & 0x3) << 4];
        return new String(out, StandardCharsets.ISO_8859_1);
    }
}
