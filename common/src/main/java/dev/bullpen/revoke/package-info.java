/**
 * Durable revocations: the {@link dev.bullpen.revoke.Revocations} contract, kept in Redis with a
 * time to live so that a worker started later still honours them, and broadcast so that running
 * workers learn of them at once.
 */
@NullMarked
package dev.bullpen.revoke;

import org.jspecify.annotations.NullMarked;
