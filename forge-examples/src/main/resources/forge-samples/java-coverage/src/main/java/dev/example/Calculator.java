package dev.example;

/** A calculator with just enough logic to measure. */
public final class Calculator {

    private Calculator() {
    }

    /** The sum of two numbers. */
    public static int add(int a, int b) {
        return a + b;
    }

    /** a divided by b, rounded towards zero. */
    public static int divide(int a, int b) {
        if (b == 0) {
            throw new IllegalArgumentException("division by zero");
        }
        return a / b;
    }

    /** The larger of two numbers. */
    public static int max(int a, int b) {
        if (a >= b) {
            return a;
        }
        return b;
    }

    /** n! for 0 <= n <= 12. */
    public static int factorial(int n) {
        if (n < 0 || n > 12) {
            throw new IllegalArgumentException("n must be 0-12");
        }
        int result = 1;
        for (int i = 2; i <= n; i++) {
            result *= i;
        }
        return result;
    }
}
