package dev.example;

/** Tests without a test framework, so the project builds with the JDK alone. */
public final class CalculatorTest {

    private CalculatorTest() {
    }

    public static void main(String[] args) {
        check(Calculator.add(2, 3) == 5, "add");
        check(Calculator.divide(7, 2) == 3, "divide");
        check(Calculator.max(4, 9) == 9, "max");
        System.out.println("3 tests passed");
    }

    private static void check(boolean ok, String name) {
        if (!ok) {
            throw new AssertionError(name + " failed");
        }
    }
}
