package dev.flashline.cli;

import picocli.CommandLine;

/** Reads the version Maven wrote into the jar's manifest. */
final class Version implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Flashline.class.getPackage().getImplementationVersion();
    return new String[] {"flashline " + (version == null ? "(development build)" : version)};
  }
}
