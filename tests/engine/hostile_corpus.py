"""Scripts and conditions an attacker would write into a model (kịch bản tấn công).

Each entry says what must happen to it: `refused` at validation (with the bundle's names),
`raises` at run time (it passes validation but fails there), or `harmless` (it runs and reaches
nothing). Resource bombs are flagged: the limits stop them (or validation refuses them).
`MARKER` stands for a file path that no entry may create.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hostile:
    source: str
    kind: str = "expression"  # or "script"
    outcome: str = "refused"  # "refused" | "raises" | "harmless"
    bomb: bool = False


S = "script"
CORPUS: list[Hostile] = [
    # attribute chains and modules through the old namespace
    Hostile("json.codecs.sys.modules['os'].popen('touch MARKER').read()"),
    Hostile("json.codecs.builtins.open('/etc/passwd').read()"),
    Hostile("().__class__.__bases__[0].__subclasses__()"),
    Hostile("decision.__class__.__mro__[-1].__subclasses__()"),
    Hostile("after_working_days.__globals__['os'].system('touch MARKER')"),
    Hostile("after_working_days.__closure__[0].cell_contents"),
    Hostile("floor.__self__.__loader__"),
    Hostile("math.floor(1.5)"),
    Hostile("date.today()"),
    Hostile("items.append.__self__"),
    Hostile("(lambda: 0).__code__.co_consts"),
    Hostile("after_working_days.func_globals", outcome="raises"),
    Hostile("import os\nos.system('touch MARKER')", S),
    Hostile("from subprocess import run\nrun(['touch', 'MARKER'])", S),
    # format strings
    Hostile("'{0.__class__}'.format(1)"),
    Hostile("str.format('{0.__class__.__mro__}', 1)"),
    Hostile("'{x.__class__}'.format_map({'x': 1})"),
    Hostile("f = str.format_map\ny = f('{a.__class__}', {'a': 1})", S),
    Hostile("'{0.__globals__}'.format(after_working_days)"),
    Hostile("'%(a)s' % {'a': after_working_days}", outcome="harmless"),
    Hostile("'%c' % 10 ** 7", outcome="raises"),
    # generator frames
    Hostile("(x for x in []).gi_frame.f_back.f_globals"),
    Hostile("def g():\n    yield 1\nframe = g().gi_frame", S),
    Hostile("(x for x in []).gi_code"),
    Hostile("[c for c in (x for x in [1]).gi_yieldfrom]"),
    # decorators, default arguments, classes, scopes
    Hostile("@after_working_days\ndef f():\n    pass", S),
    Hostile("def f(x=getattr):\n    return x\ny = f()(1, 'real')", S),
    Hostile("f = lambda x=vars: x()\ny = f()", S),
    Hostile("class A:\n    pass", S),
    Hostile("global decision\ndecision = 'accept'", S),
    Hostile("def outer():\n    y = 1\n    def inner():\n        nonlocal y\n    return inner", S),
    # comprehensions
    Hostile("[f for f in ().__class__.__base__.__subclasses__()]"),
    Hostile("[n for n in dir()]"),
    Hostile("{k: v for k, v in globals().items()}"),
    Hostile("[locals() for i in [1]]"),
    # exceptions and their tracebacks
    Hostile("try:\n    1 / 0\nexcept Exception as e:\n    t = e.__traceback__.tb_frame", S),
    Hostile("try:\n    1 / 0\nexcept Exception as e:\n    t = e.with_traceback(None)", S),
    Hostile("try:\n    1 / 0\nexcept Exception as e:\n    a = e.args", S, "raises"),
    Hostile("try:\n    after_working_days('x')\nexcept ValueError as e:\n    c = e.__context__", S),
    # unicode look-alike names (NFKC folds them onto the real ones)
    Hostile("ｅｖａｌ('1 + 1')"),
    Hostile("ｇｅｔａｔｔｒ(decision, 'upper')"),
    Hostile("ℯval('1')"),
    Hostile("𝐨𝐩𝐞𝐧('/etc/passwd').read()"),
    Hostile("ｄｅｃｉｓｉｏｎ == 'accept'"),
    # the builtins the sandbox does not give
    Hostile("getattr(decision, '__class__')"),
    Hostile("vars()"),
    Hostile("globals()['__builtins__']"),
    Hostile("compile('1', 'x', 'eval')"),
    Hostile("type(decision).__mro__"),
    Hostile("type('X', (), {})"),
    Hostile("eval('1')"),
    Hostile("exec('x = 1')", S),
    Hostile("__import__('os').system('touch MARKER')"),
    Hostile("open('MARKER', 'w').write('x')", S),
    Hostile("breakpoint()"),
    Hostile("help()"),
    Hostile("input()"),
    Hostile("setattr(items, 'x', 1)", S),
    Hostile("object.__subclasses__()"),
    # isinstance/issubclass and class introspection
    Hostile("issubclass(bool, int)"),
    Hostile("isinstance(decision, str) and decision.mro"),
    Hostile("[c for c in int.mro()]"),
    Hostile("isinstance(decision, str)", outcome="harmless"),
    # plain failures
    Hostile("def f():\n    return f()\ny = f()", S, "raises"),
    # resource bombs: the limits stop them
    Hostile("while True:\n    pass", S, "raises", bomb=True),
    Hostile("9 ** 9 ** 9", outcome="raises", bomb=True),
    Hostile("'a' * 10 ** 10", outcome="raises", bomb=True),
    Hostile("[0] * 10 ** 10", outcome="raises", bomb=True),
    Hostile("[[i for i in range(10 ** 6)] for j in range(10 ** 6)]", outcome="raises", bomb=True),
    Hostile("s = 'a'\nwhile True:\n    s += s", S, "raises", bomb=True),
    Hostile("'%*d' % (10 ** 9, 1)", outcome="raises", bomb=True),
    Hostile("sum(range(10 ** 12))", outcome="raises", bomb=True),
    Hostile("f'{1:>{10 ** 10}}'", outcome="raises", bomb=True),
]
