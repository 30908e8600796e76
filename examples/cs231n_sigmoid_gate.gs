# CS231n, Backpropagation: the sigmoid gate, written as a function (a group)
# f(w, x) = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))) with w = [2, -3, -3] and x = [-1, -2]:
# f = 0.73, df/dw = [-0.20, -0.39, 0.20], df/dx = [0.39, -0.59].
# The course draws the circuit gate by gate (*-1, exp, +1, 1/x), then notes that the four
# gates together are the sigmoid, whose local derivative is (1 - f) f = 0.20: one gate.
# The def below is that gate. Each call of it is a group: collapsed (as it opens), one box
# showing d out / d z = 0.20; double-click it to see its circuit inside a frame.
def sigmoid_gate(z):
    return 1 / (1 + exp(-z))

w0 = 2
x0 = -1
w1 = -3
x1 = -2
w2 = -3
z = w0 * x0 + w1 * x1 + w2
f = sigmoid_gate(z)
