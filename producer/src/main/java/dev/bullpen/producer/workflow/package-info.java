/** {@code POST /api/workflows} (chain, group, chord) and {@code GET /api/groups/{id}}. */
@NullMarked
package dev.bullpen.producer.workflow;

import org.jspecify.annotations.NullMarked;
