/**
 * Reading input records and interpreting them as conversations.
 *
 * <p>{@link dev.tarjama.transforms.io.ReadRecords} turns files (JSON Lines, JSON arrays, Parquet;
 * compressed or not; local or {@code gs://}) into {@link dev.tarjama.transforms.domain.SourceRecord}s;
 * {@link dev.tarjama.transforms.io.NormalizeRecords} turns those into {@link
 * dev.tarjama.transforms.domain.Conversation}s whose text fields are named by JSON Pointers, which
 * {@link dev.tarjama.transforms.io.JsonPointers#set} later uses to write translations back.
 *
 * <p>Self-Instruct seed tasks ({@code instruction} + {@code instances: [{input, output}]}) are read
 * as Alpaca: the instruction, then each instance's input (when not blank) and output, so that every
 * English string of the record is translated and the structure stays as it was.
 */
package dev.tarjama.transforms.io;
