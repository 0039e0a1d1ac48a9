"""tests/warm_kernels.py: when it warms kernels, and when it must not."""

from types import SimpleNamespace

import nbformat

import warm_kernels


def config(worker: bool = False, **option):
    options = {"nbval": True, "nbval_lax": False, "no_warm_kernels": False, **option}
    made = SimpleNamespace(option=SimpleNamespace(**options))
    if worker:
        made.workerinput = {"workerid": "gw0"}  # what pytest-xdist gives each worker's config
    return made


def test_on_for_nbval_runs_only():
    assert warm_kernels._enabled(config())
    assert warm_kernels._enabled(config(nbval=False, nbval_lax=True))
    assert not warm_kernels._enabled(config(nbval=False))
    assert not warm_kernels._enabled(config(no_warm_kernels=True))


def test_off_in_an_xdist_worker_which_cannot_know_its_next_notebook():
    assert not warm_kernels._enabled(config(worker=True))


class FakeKernel:
    """What KernelPool uses of nbval's RunningKernel: km.client(), kc, _ensure_iopub_up, stop."""

    def __init__(self, answers: bool = True):
        self.answers, self.stopped, self.clients, self.warmed = answers, False, [], []
        self.kc = self._client()
        self.km = SimpleNamespace(client=self._client)

    def _client(self):
        def wait_for_ready(timeout):
            if not self.answers:
                raise RuntimeError("Kernel didn't respond in 60 seconds")

        client = SimpleNamespace(stopped=False, start_channels=lambda: None, wait_for_ready=wait_for_ready,
                                 execute=lambda code, silent, store_history: self.warmed.append(code))
        client.stop_channels = lambda: setattr(client, "stopped", True)
        self.clients.append(client)
        return client

    def _ensure_iopub_up(self):
        pass

    def await_idle(self, message, timeout):
        pass

    def stop(self):
        self.stopped = True


def pool_with_spare(tmp_path, spare, name="python3"):
    made = []

    def make_kernel(name, cwd=None, startup_timeout=60):
        made.append(FakeKernel())
        return made[-1]

    pool = warm_kernels.KernelPool(make_kernel)
    thread = SimpleNamespace(join=lambda: None)
    pool.spares[tmp_path / "02.ipynb"] = (thread, {"kernel": spare, "name": name})
    return pool, made


def test_a_warmed_kernel_gets_a_client_of_the_notebooks_own_thread(tmp_path):
    spare = FakeKernel()
    pool, made = pool_with_spare(tmp_path, spare)
    background = spare.kc
    assert pool.take(tmp_path / "02.ipynb", "python3", 60) is spare
    assert background.stopped and spare.kc is not background and not made


def test_a_warmed_kernel_that_does_not_answer_is_stopped_and_replaced(tmp_path):
    spare = FakeKernel(answers=False)
    pool, made = pool_with_spare(tmp_path, spare)
    kernel = pool.take(tmp_path / "02.ipynb", "python3", 60)
    assert spare.stopped and len(made) == 1 and kernel is made[0]


def test_a_kernel_started_for_another_kernel_spec_is_stopped_and_replaced(tmp_path):
    spare = FakeKernel()
    pool, made = pool_with_spare(tmp_path, spare, name="python3")
    kernel = pool.take(tmp_path / "02.ipynb", "another-kernel", 60)
    assert spare.stopped and len(made) == 1 and kernel is made[0]


def test_the_first_notebooks_kernel_started_at_collection_is_the_one_it_gets(tmp_path):
    made = []
    pool = warm_kernels.KernelPool(lambda name, cwd=None, startup_timeout=60: made.append(FakeKernel()) or made[-1])
    first = tmp_path / "01.ipynb"
    first.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import torch")])))
    pool.order = [first]
    pool.start_ahead(first, "python3", 60)
    assert pool.take(first, "python3", 60) is made[0] and len(made) == 1
    assert made[0].warmed == [warm_kernels.ALWAYS]


def test_the_kernel_name_is_the_one_nbval_asks_for(tmp_path):
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME

    notebook = tmp_path / "01.ipynb"
    notebook.write_text(nbformat.writes(nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "its-own", "display_name": "its own"}})))
    assert warm_kernels._kernel_name(config(nbval_current_env=True, nbval_kernel_name=None), notebook) \
        == CURRENT_ENV_KERNEL_NAME
    assert warm_kernels._kernel_name(config(nbval_current_env=False, nbval_kernel_name="named"), notebook) == "named"
    assert warm_kernels._kernel_name(config(nbval_current_env=False, nbval_kernel_name=None), notebook) == "its-own"
