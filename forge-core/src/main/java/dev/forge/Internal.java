package dev.forge;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a type, constructor or method that is public only because another forge package wires it (Java
 * has no friend packages), not because embedders should use it. Internal elements are
 * unsupported: they may change or disappear in any release, without notice in the changelog.
 * The supported API is everything else that is public: {@link Forge} and its builder, the
 * services, the request and result records, {@link Outcome} and the ports with their in-memory
 * adapters. forge-core's {@code public-api.txt} lists internal types with an {@code (internal)}
 * mark, so a type moving in or out of the supported API is a visible diff.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.CONSTRUCTOR, ElementType.METHOD})
public @interface Internal {
}
