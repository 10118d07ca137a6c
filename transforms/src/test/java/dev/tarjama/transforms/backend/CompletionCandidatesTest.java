package dev.tarjama.transforms.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CompletionCandidatesTest {
  @Test
  void edgeWhitespaceFollowsTheSource() {
    assertEquals("\nمرحبا  ", CompletionCandidates.keepEdgeWhitespace("\nHello  ", " مرحبا\n\n"));
    assertEquals("مرحبا", CompletionCandidates.keepEdgeWhitespace("Hello", "\nمرحبا "));
    assertEquals(" \n", CompletionCandidates.keepEdgeWhitespace(" \n", "something"));
    assertEquals("", CompletionCandidates.keepEdgeWhitespace("", "x"));
  }

  @Test
  void tokensAreApportionedExactly() {
    assertArrayEquals(new long[] {4, 3, 3}, CompletionCandidates.apportion(10, new long[] {1, 1, 1}));
    assertArrayEquals(new long[] {25, 75}, CompletionCandidates.apportion(100, new long[] {10, 30}));
    assertArrayEquals(new long[] {3, 2}, CompletionCandidates.apportion(5, new long[] {0, 0}));
    long[] parts = CompletionCandidates.apportion(97, new long[] {13, 7, 29});
    assertEquals(97, parts[0] + parts[1] + parts[2]);
  }
}
