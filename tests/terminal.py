"""Child processes that take Ctrl-C as a terminal's would."""
import signal


def default_sigint() -> None:
    """A `preexec_fn`: a suite started in the background without job control (`cmd &` in a script) inherits
    SIGINT ignored, and passes that on to every process it starts, which then never sees a test's Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
