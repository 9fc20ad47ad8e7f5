/** Implementation of the client; not API. */
@NullMarked
package dev.bullpen.client.internal;

import org.jspecify.annotations.NullMarked;
