# Functions and groups: swish(x) = x * sigmoid(x) (Ramachandran et al., 2017), twice
# A def names a small computation of the registry's ops. It is never run: each call adds the
# function's nodes, fed the call's arguments, as one group, drawn as one gate with its local
# derivative (d swish / d x = sigmoid(x) + x sigmoid(x) (1 - sigmoid(x))) until you expand it.
def swish(x):
    return x * sigmoid(x)

# a function of two arguments, with a local name (a node of each call, not of the graph)
def squared_sum(a, b):
    s = a + b
    return s * s

u = 1.5
v = -0.5
h1 = swish(u)
h2 = swish(v)
L = squared_sum(h1, h2)
