// The translation unit that builds the shared precompiled torch header
// (cmake/DdsmTorchPch.cmake); it has no code of its own.
