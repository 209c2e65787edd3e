#!/usr/bin/env python3
"""Runs the ovs-vsctl corpus (cases.txt) against a fresh ovsdb-server per case.

  run_corpus.py --vsctl PATH --generate golden.json   record results (stock)
  run_corpus.py --vsctl PATH --check golden.json      compare with the record

Every case runs in a new database; after its steps the database state is
dumped with `<vsctl> -f json -d json list <table>` and canonicalized (UUIDs
replaced by labels derived from row contents), so the record holds outputs,
exit codes and the resulting database.  UUIDs in outputs become <0>, <1>, ...
in order of appearance, as OVS's tests do.

Environment: GREBE_OVSDB_SERVER (default /usr/sbin/ovsdb-server) and
GREBE_OVSDB_TOOL (default /usr/bin/ovsdb-tool) select the server under test.
"""
import argparse, difflib, json, os, re, shlex, shutil, socket, subprocess, sys, tempfile, time

UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
LOG_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\|\d+\|', re.M)
TABLES = ['Open_vSwitch', 'Bridge', 'Port', 'Interface', 'Controller', 'Manager', 'SSL',
          'sFlow', 'QoS', 'Queue', 'Mirror', 'NetFlow', 'IPFIX', 'Flow_Sample_Collector_Set']


def parse_cases(path):
    cases, cur = [], []
    for line in open(path):
        line = line.rstrip('\n')
        if line.startswith('#'):
            continue
        if not line.strip():
            if cur:
                cases.append(cur)
            cur = []
        else:
            cur.append(line)
    if cur:
        cases.append(cur)
    return cases


class Server:
    def __init__(self, schema):
        self.dir = tempfile.mkdtemp(prefix='grebe-vsctl-corpus.')
        tool = os.environ.get('GREBE_OVSDB_TOOL', '/usr/bin/ovsdb-tool')
        server = os.environ.get('GREBE_OVSDB_SERVER', '/usr/sbin/ovsdb-server')
        db = os.path.join(self.dir, 'conf.db')
        subprocess.run([tool, 'create', db, schema], check=True)
        self.sock = os.path.join(self.dir, 'db.sock')
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir,
                        OVS_DBDIR=self.dir)
        self.env.pop('OVS_CTL_TIMEOUT', None)
        self.proc = subprocess.Popen(
            [server, db, '--remote=punix:' + self.sock,
             '--unixctl=' + os.path.join(self.dir, 'ovsdb-server.ctl'), '--no-chdir',
             '--log-file=' + os.path.join(self.dir, 'ovsdb-server.log')],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(500):  # the socket file exists a moment before listen()
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.sock)
                return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError('ovsdb-server did not start')

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Normalizer:
    def __init__(self):
        self.map = {}

    def uuids(self, text):
        def repl(m):
            return '<%d>' % self.map.setdefault(m.group(0), len(self.map))
        return UUID_RE.sub(repl, text)


def run_vsctl(vsctl, args, env):
    try:
        p = subprocess.run([vsctl] + args, env=env, capture_output=True, text=True, timeout=20)
        return p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired:
        return '', 'TIMEOUT', -1


def canonical_dump(vsctl, env):
    tables = {}
    for t in TABLES:
        out, err, rc = run_vsctl(vsctl, ['--no-wait', '-f', 'json', '-d', 'json', 'list', t], env)
        if rc != 0:
            return {'error': err}
        j = json.loads(out)
        rows = [dict(zip(j['headings'], r)) for r in j['data']]
        tables[t] = rows
    # Label rows by their content without UUIDs, then substitute references.
    def strip(v):
        return UUID_RE.sub('?', json.dumps(v, sort_keys=True))
    labels = {}
    for t, rows in tables.items():
        sig = lambda r: strip({k: v for k, v in r.items() if k != '_uuid'})
        keyed = sorted(rows, key=sig)
        distinct = sorted(set(sig(r) for r in rows))
        for r in keyed:  # identical rows share a label
            labels[r['_uuid'][1]] = '%s#%d' % (t, distinct.index(sig(r)))
        tables[t] = keyed
    def sub(v):
        v = json.loads(UUID_RE.sub(lambda m: labels.get(m.group(0), 'dangling'),
                                   json.dumps(v, sort_keys=True)))
        for k, d in v.items():  # set order follows the (random) UUIDs
            if isinstance(d, list) and len(d) == 2 and d[0] == 'set':
                d[1].sort(key=lambda e: json.dumps(e, sort_keys=True))
        return json.dumps(v, sort_keys=True)
    return {t: [sub({k: v for k, v in r.items() if k != '_uuid'}) for r in rows]
            for t, rows in tables.items() if rows}


def run_case(lines, vsctl, dump_vsctl, schema):
    server = Server(schema)
    norm = Normalizer()
    steps = []
    try:
        for line in lines:
            sort = line.startswith('@sort ')
            args = shlex.split(line[6:] if sort else line)
            out, err, rc = run_vsctl(vsctl, args, server.env)
            err = LOG_RE.sub('TIME|N|', err)
            if sort:
                out = ''.join(sorted(UUID_RE.sub('<uuid>', out).splitlines(True)))
            steps.append({'line': line, 'stdout': norm.uuids(out), 'stderr': norm.uuids(err),
                          'rc': rc})
        dump = canonical_dump(dump_vsctl, server.env)
    finally:
        server.stop()
    return {'steps': steps, 'dump': dump}


def show_diff(want, got):
    if not isinstance(want, str):
        print('  expected %r, got %r' % (want, got))
        return
    for line in difflib.unified_diff(want.splitlines(), got.splitlines(), 'expected', 'got',
                                     lineterm='', n=1):
        print('  ' + line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vsctl', required=True)
    ap.add_argument('--dump-vsctl', help='ovs-vsctl used for the final dump (default: --vsctl)')
    ap.add_argument('--cases', default=os.path.join(os.path.dirname(__file__), 'cases.txt'))
    ap.add_argument('--schema', required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--generate')
    g.add_argument('--check')
    a = ap.parse_args()
    cases = parse_cases(a.cases)
    dump_vsctl = a.dump_vsctl or a.vsctl
    if a.generate:
        results = [run_case(c, a.vsctl, dump_vsctl, a.schema) for c in cases]
        with open(a.generate, 'w') as f:
            json.dump({'cases': results}, f, indent=1, sort_keys=True)
            f.write('\n')
        return 0
    golden = json.load(open(a.check))['cases']
    if len(golden) != len(cases):
        print('golden data has %d cases, cases.txt %d: regenerate' % (len(golden), len(cases)))
        return 1
    failures = 0
    for i, (lines, want) in enumerate(zip(cases, golden)):
        got = run_case(lines, a.vsctl, dump_vsctl, a.schema)
        for s_got, s_want in zip(got['steps'], want['steps']):
            for k in ('stdout', 'stderr', 'rc'):
                if s_got[k] != s_want[k]:
                    failures += 1
                    print('case %d: ovs-vsctl %s: %s differs' % (i, s_want['line'], k))
                    show_diff(s_want[k], s_got[k])
        if got['dump'] != want['dump']:
            failures += 1
            print('case %d: database differs' % i)
            show_diff(json.dumps(want['dump'], sort_keys=True, indent=1),
                      json.dumps(got['dump'], sort_keys=True, indent=1))
    print('%d cases, %d mismatches' % (len(cases), failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
