// The translation unit that compiles cmake/precompiled.h once for the whole build tree.
