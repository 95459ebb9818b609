"""The read cache: cache-aside with single-flight; in-process, or on Redis when scaled out."""
