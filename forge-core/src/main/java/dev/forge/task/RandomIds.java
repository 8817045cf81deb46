package dev.forge.task;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One thread's supply of random ids: 16 bytes at a time cut from a 4 KiB buffer of AES-CTR
 * keystream, under a key and counter drawn from {@link SecureRandom} for this thread alone. The
 * keystream of a secret key cannot be told from random bytes (that is what makes CTR a
 * cipher), so the ids stay unguessable, at a fraction of the cost of {@code SecureRandom}'s own
 * bytes (NativePRNG mixes every byte through SHA-1).
 */
final class RandomIds {
    private static final int ID_BYTES = 16;
    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);

    private final Cipher keystream;
    private final byte[] zeros = new byte[256 * ID_BYTES];
    private final byte[] buffer = new byte[zeros.length];
    private int used = buffer.length;

    RandomIds(SecureRandom random) {
        byte[] key = new byte[16];
        byte[] counter = new byte[16];
        random.nextBytes(key);
        random.nextBytes(counter);
        try {
            keystream = Cipher.getInstance("AES/CTR/NoPadding");
            keystream.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(counter));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR (SunJCE) is not available", e);
        }
    }

    TaskId next() {
        if (used == buffer.length) {
            try {
                keystream.update(zeros, 0, zeros.length, buffer);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/CTR keystream failed", e);
            }
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
