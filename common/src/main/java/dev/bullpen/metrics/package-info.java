/** Names of the meters Bullpen registers with Micrometer. */
@NullMarked
package dev.bullpen.metrics;

import org.jspecify.annotations.NullMarked;
