package dev.forge.task;

import dev.forge.Internal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Writes and reads the instants of task records and events in the text {@link Instant#toString()}
 * gives (ISO-8601 UTC, as {@link java.time.format.DateTimeFormatter#ISO_INSTANT}), without the
 * formatter: every record an adapter writes or reads, every event it sends or receives and every
 * task the HTTP API answers with formats or parses up to four of them, and the formatter was a
 * tenth of a worker's CPU in a profile of {@code RedisThroughput}. The fast paths take only the
 * shape {@code toString()} gives for years 0000-9999 ({@code 2026-11-29T23:15:48Z}, with 3, 6 or
 * 9 fraction digits or none); anything else - other years, leap seconds, malformed text - goes to
 * {@link Instant#toString()} and {@link Instant#parse}, so results and errors are exactly theirs.
 */
@Internal
public final class Instants {

    private Instants() {
    }

    /** First and last epoch second of the years 0000-9999: the fast path's range. */
    private static final long MIN_FAST_SECOND = -62_167_219_200L;
    private static final long MAX_FAST_SECOND = 253_402_300_799L;

    /** {@code at.toString()}. */
    public static String format(Instant at) {
        long seconds = at.getEpochSecond();
        if (seconds < MIN_FAST_SECOND || seconds > MAX_FAST_SECOND) {
            return at.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        int nano = at.getNano();
        StringBuilder text = new StringBuilder(30);
        digits(text, date.getYear(), 4).append('-');
        digits(text, date.getMonthValue(), 2).append('-');
        digits(text, date.getDayOfMonth(), 2).append('T');
        digits(text, secondOfDay / 3_600, 2).append(':');
        digits(text, secondOfDay / 60 % 60, 2).append(':');
        digits(text, secondOfDay % 60, 2);
        if (nano != 0) {
            // as toString: as many groups of three fraction digits as it takes
            text.append('.');
            if (nano % 1_000_000 == 0) {
                digits(text, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                digits(text, nano / 1_000, 6);
            } else {
                digits(text, nano, 9);
            }
        }
        return text.append('Z').toString();
    }

    /** Appends the non-negative {@code value} in exactly {@code width} digits, zeros in front. */
    private static StringBuilder digits(StringBuilder to, int value, int width) {
        for (int unit = pow10(width - 1); unit > 0; unit /= 10) {
            to.append((char) ('0' + value / unit % 10));
        }
        return to;
    }

    private static int pow10(int exponent) {
        int value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }

    /** The instant {@code text} names, as {@link Instant#parse} reads it. */
    public static Instant parse(String text) {
        Instant fast = fastParse(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /** Null when {@code text} is not in the common shape, or not a valid date-time. */
    private static Instant fastParse(String text) {
        int length = text.length();
        if (length != 20 && length != 24 && length != 27 && length != 30) {
            return null;
        }
        if (text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z'
                || (length > 20 && text.charAt(19) != '.')) {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int fraction = length > 20 ? digits(text, 20, length - 1) : 0;
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || fraction < 0) {
            return null;
        }
        for (int i = length - 1 - 20; length > 20 && i < 9; i++) {
            fraction *= 10; // 3 or 6 fraction digits are milli- or microseconds
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, fraction);
    }

    /** The decimal value of text[from, to), or -1 if a character is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
