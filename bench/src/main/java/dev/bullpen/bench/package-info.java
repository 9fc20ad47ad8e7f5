/** The benchmark (Bullpen against Celery, measured in one run) and the chaos run (kill things, count lost tasks). */
@NullMarked
package dev.bullpen.bench;

import org.jspecify.annotations.NullMarked;
